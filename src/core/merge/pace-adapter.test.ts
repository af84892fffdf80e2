/** createPaceAdapter: limits lowered on each kind of 429, Retry-After as the floor, bounded jitter, recovery, margin. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { EXCHANGE_LIMITS, type MailboxLimits } from './merge-journal.ts'
import { createPaceAdapter } from './pace-adapter.ts'

const A = 'adele@contoso.test'
const B = 'lea@contoso.test'
const configured: MailboxLimits = { ...EXCHANGE_LIMITS }

/** The limits as configured, without the arrival margin the adapter adds to the windows. */
const bare = (limits: MailboxLimits) => ({
  concurrent: limits.concurrent,
  sends: limits.sendsPerWindow,
})

test('the windows get an arrival margin: 1 % of the window, at most a second, plus 5 ms', () => {
  const pace = createPaceAdapter({
    ...configured,
    sendWindowMs: 1_000,
    recipientWindowMs: 86_400_000,
  })
  const limits = pace.limits(A)
  assert.equal(limits.sendWindowMs, 1_000 + 15)
  assert.equal(limits.recipientWindowMs, 86_400_000 + 1_005)
  assert.equal(createPaceAdapter(configured).limits(A).sendWindowMs, 60_000 + 605)
  assert.equal(limits.concurrent, configured.concurrent)
  assert.equal(limits.sendsPerWindow, configured.sendsPerWindow)
})

test('a concurrency 429 lowers the requests in flight by one (never below 1), the send rate untouched', () => {
  const pace = createPaceAdapter(configured, () => 0)
  pace.throttled(A, 'concurrency', 1)
  assert.deepEqual(bare(pace.limits(A)), { concurrent: 3, sends: 30 })
  for (let strike = 0; strike < 5; strike++) pace.throttled(A, 'concurrency', 1)
  assert.deepEqual(bare(pace.limits(A)), { concurrent: 1, sends: 30 })
  assert.deepEqual(bare(pace.limits(B)), { concurrent: 4, sends: 30 }, 'per mailbox')
})

test('a rate 429 lowers the sends per window by a tenth (never below 1), the concurrency untouched', () => {
  const pace = createPaceAdapter(configured, () => 0)
  pace.throttled(A, 'rate', undefined)
  assert.deepEqual(bare(pace.limits(A)), { concurrent: 4, sends: 27 })
  pace.throttled(A, 'rate', undefined)
  assert.deepEqual(bare(pace.limits(A)), { concurrent: 4, sends: 24 })
  for (let strike = 0; strike < 30; strike++) pace.throttled(A, 'rate', 1_000)
  assert.equal(pace.limits(A).sendsPerWindow, 1)
})

test('Retry-After is the floor of the wait; the jitter adds at most a quarter of it', () => {
  for (const random of [0, 0.5, 0.999999]) {
    const pace = createPaceAdapter(configured, () => random)
    const wait = pace.throttled(A, 'rate', 800)
    assert.ok(wait >= 800 && wait <= 800 * 1.25, `random ${random}: ${wait} ms`)
    if (random === 0) assert.equal(wait, 800)
  }
  // A long Retry-After: the jitter is bounded by the back-off step too (a second at the first strike).
  const wait = createPaceAdapter(configured, () => 0.999999).throttled(A, 'rate', 120_000)
  assert.ok(wait >= 120_000 && wait <= 120_000 + 250, `${wait} ms`)
})

test('without Retry-After: exponential back-off from 1 s to 60 s, jitter within a quarter, reset by a success', () => {
  const waits = (random: number) => {
    const pace = createPaceAdapter(configured, () => random)
    return Array.from({ length: 9 }, () => pace.throttled(A, 'concurrency', undefined))
  }
  assert.deepEqual(waits(0), [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000])
  const highest = waits(0.999999)
  for (const [strike, wait] of waits(0).entries())
    assert.ok(highest[strike]! > wait && highest[strike]! <= wait * 1.25, `${highest[strike]}`)
  const pace = createPaceAdapter(configured, () => 0)
  pace.throttled(A, 'rate', undefined)
  pace.throttled(A, 'rate', undefined)
  pace.succeeded(A)
  assert.equal(pace.throttled(A, 'rate', undefined), 1_000, 'a success starts the back-off over')
})

test('after 10 sends in a row without a 429 a lowered limit comes back one step, never above the configured one', () => {
  const pace = createPaceAdapter(configured, () => 0)
  pace.throttled(A, 'rate', 1_000) // 30 → 27
  pace.throttled(A, 'rate', 1_000) // 27 → 24
  pace.throttled(A, 'concurrency', 1_000) // 4 → 3
  pace.throttled(A, 'concurrency', 1_000) // 3 → 2
  const succeed = (times: number) => {
    for (let send = 0; send < times; send++) pace.succeeded(A)
  }
  succeed(9)
  assert.deepEqual(bare(pace.limits(A)), { concurrent: 2, sends: 24 })
  succeed(1)
  assert.deepEqual(
    bare(pace.limits(A)),
    { concurrent: 3, sends: 27 },
    '+1 in flight, +10 % (at least 1)',
  )
  succeed(5)
  pace.throttled(A, 'concurrency', 1_000) // the streak starts over, and 3 → 2
  succeed(9)
  assert.deepEqual(bare(pace.limits(A)), { concurrent: 2, sends: 27 })
  succeed(1)
  assert.deepEqual(bare(pace.limits(A)), { concurrent: 3, sends: 30 })
  succeed(200)
  assert.deepEqual(bare(pace.limits(A)), { concurrent: 4, sends: 30 })
  assert.deepEqual(bare(pace.limits(B)), { concurrent: 4, sends: 30 })
})
