/**
 * Rate limits (SE-14): per-user sends and per-IP sign-ins → 429 with Retry-After, counted in Redis so that two app
 * instances share them, and keyed on the socket address (OA-14) so a spoofed X-Forwarded-For resets nothing.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { EmulatorClient } from '../../src/emulator/index.ts'
import { sends } from '../kit/journal.ts'
import { SECURITY, startSystem, type AppInstance, type System } from '../kit/system.ts'

let system: System
let emulator: EmulatorClient
let first: AppInstance
let second: AppInstance
const sendLimit = 3
const signInLimit = 6

before(async () => {
  system = await startSystem(SECURITY)
  emulator = system.client
  const shared = {
    store: 'redis' as const,
    redisKeyPrefix: `gc-security-rl-${randomUUID()}:`,
    env: { SEND_LIMIT_PER_MINUTE: String(sendLimit), SIGNIN_LIMIT_PER_MINUTE: String(signInLimit) },
  }
  first = await system.startApp(shared)
  second = await system.startApp(shared)
})

after(() => system?.close())

/** The limits use fixed one-minute windows: start a burst well inside one, so it cannot straddle two. */
async function freshWindow(): Promise<void> {
  const intoMinute = Date.now() % 60_000
  if (intoMinute > 50_000) await sleep(60_000 - intoMinute + 200)
}

function assertRetryAfter(value: string | null): void {
  assert.ok(value && /^\d+$/.test(value), `Retry-After: ${value}`)
  assert.ok(Number(value) >= 1 && Number(value) <= 60, `Retry-After: ${value}`)
}

describe('SE-14 rate limits', () => {
  test('SE-14 per-user send limit: shared by two instances on one Redis → 429 with Retry-After, the form kept, no extra sendMail', async () => {
    await freshWindow()
    const client = first.browser()
    // Sign in on the first instance; the session lives in the shared Redis, so the second serves it too.
    assert.equal((await client.signIn(system.user('megan'), first.url)).status, 303)
    const mark = await emulator.mark()
    const instances = [first, second, first]
    for (const [index, instance] of instances.entries()) {
      const answer = await client.postSend(
        {
          to: 'adele@contoso.test',
          subject: `Within the limit ${index}`,
        },
        { base: instance.url },
      )
      assert.equal(answer.status, 303, `send ${index + 1}`)
    }
    const over = await client.postSend(
      { to: 'adele@contoso.test', subject: 'One too many' },
      { base: second.url, headers: { 'x-forwarded-for': '203.0.113.9' } },
    )
    assert.equal(over.status, 429)
    assertRetryAfter(over.headers.get('retry-after'))
    assert.ok(over.body.includes('value="One too many"'), 'the form is kept as typed')
    // Another browser of the same user is limited too: the limit is per user, not per session.
    const otherBrowser = second.browser()
    assert.equal((await otherBrowser.signIn(system.user('megan'), second.url)).status, 303)
    assert.equal(
      (await otherBrowser.postSend({ to: 'adele@contoso.test' }, { base: first.url })).status,
      429,
    )
    assert.equal((await sends(emulator, mark)).length, sendLimit)
  })

  test('SE-14 per-IP sign-in limit: shared by two instances, not reset by a spoofed X-Forwarded-For', async () => {
    await freshWindow()
    // Fresh counters for this window: the send test above signed in twice from this address.
    const statuses: number[] = []
    for (let i = 0; i < signInLimit + 4; i++) {
      const instance = i % 2 ? second : first
      const spoofed = instance.browser({
        headers: {
          'x-forwarded-for': `198.51.100.${i}`,
          'x-real-ip': `198.51.100.${i}`,
          forwarded: `for=198.51.100.${i}`,
        },
      })
      const answer = await spoofed.request(`${instance.url}/connect`)
      statuses.push(answer.status)
      if (answer.status === 429) assertRetryAfter(answer.headers.get('retry-after'))
    }
    const allowed = statuses.filter((status) => status === 302).length
    assert.ok(
      allowed <= signInLimit,
      `at most ${signInLimit} sign-in starts per minute from one address, got ${allowed}: ${statuses.join(',')}`,
    )
    assert.deepEqual(statuses.slice(-4), [429, 429, 429, 429], statuses.join(','))
  })

  test('SE-14 / OA-14 behind a configured proxy the limit keys on the forwarded client address', async () => {
    await freshWindow()
    const proxied = await system.startApp({
      store: 'redis',
      env: { SIGNIN_LIMIT_PER_MINUTE: '2', TRUST_PROXY: '127.0.0.1' },
    })
    try {
      const from = (ip: string) =>
        proxied.browser({ headers: { 'x-forwarded-for': ip } }).request(`${proxied.url}/connect`)
      assert.deepEqual(
        [
          (await from('192.0.2.1')).status,
          (await from('192.0.2.1')).status,
          (await from('192.0.2.1')).status,
        ],
        [302, 302, 429],
      )
      assert.equal(
        (await from('192.0.2.2')).status,
        302,
        'another client behind the proxy has its own budget',
      )
    } finally {
      await proxied.close()
    }
  })
})
