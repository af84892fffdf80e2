/** Outlook's throttling per app and mailbox: concurrency, request and send windows, Retry-After. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Emulator } from '../app.ts'
import { seedMail, testEmulator } from '../../../test/kit/emulator-graph.ts'
import { createThrottle } from './throttle.ts'

describe('Outlook throttling (per app + mailbox)', () => {
  let emulator: Emulator
  let token: string
  before(async () => {
    emulator = await testEmulator({
      throttling: { concurrent: 4, requestsPer10Min: 10_000, sendsPerMinute: 1000 },
    })
    await emulator.listen({ port: 0, host: '127.0.0.1' })
    token = await emulator.client.issueToken()
  })
  after(() => emulator.close())

  const send = () =>
    fetch(`${emulator.url}/v1.0/me/sendMail`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(seedMail(['lea@contoso.test'])),
    })

  it('answers the 5th concurrent request 429 ApplicationThrottled; it goes through after Retry-After', async () => {
    await emulator.client.addFault({
      match: { method: 'POST', path: 'sendMail$' },
      count: 4,
      action: { delayMs: 400 },
    })
    const slow = [send(), send(), send(), send()]
    await new Promise((resolve) => setTimeout(resolve, 100))
    const fifth = await send()
    assert.equal(fifth.status, 429)
    const retryAfter = Number(fifth.headers.get('retry-after'))
    assert.ok(retryAfter >= 1)
    const body = await fifth.json()
    assert.equal(body.error.code, 'ApplicationThrottled')
    assert.equal(body.error.message, 'Application is over its MailboxConcurrency limit.')
    assert.deepEqual(
      (await Promise.all(slow)).map((response) => response.status),
      [202, 202, 202, 202],
    )
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000))
    assert.equal((await send()).status, 202)
  })

  it('limits requests and sends per window, with TooManyRequests and a Retry-After that releases them', async () => {
    await emulator.client.configureThrottling({ sendsPerMinute: 2, sendWindowSeconds: 1 })
    assert.equal((await send()).status, 202)
    assert.equal((await send()).status, 202)
    const third = await send()
    assert.equal(third.status, 429)
    const body = await third.json()
    assert.equal(body.error.code, 'TooManyRequests')
    assert.equal(body.error.innerError.status, '429')
    const retryAfter = Number(third.headers.get('retry-after'))
    assert.equal(retryAfter, 1)
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 50))
    assert.equal((await send()).status, 202)
  })

  it('counts each app + mailbox pair separately and switches off', () => {
    const throttle = createThrottle({ requestsPer10Min: 1 })
    const now = 1_000_000
    assert.ok(!('status' in throttle.enter('app|adele', false, now)))
    assert.ok('status' in throttle.enter('app|adele', false, now))
    assert.ok(!('status' in throttle.enter('app|lea', false, now)))
    assert.ok(!('status' in throttle.enter('other|adele', false, now)))
    assert.ok(!('status' in throttle.enter('app|adele', false, now + 600_000)), 'a new window')
    throttle.configure(false)
    assert.ok(!('status' in throttle.enter('app|lea', false, now)))
  })

  it('spends recipient, upload and token-loop budgets over rolling windows', () => {
    const throttle = createThrottle({
      recipientsPerDay: 10,
      uploadBytesPer5Min: 100,
      tokenLoopRequests: 2,
    })
    const t = 1_000_000
    assert.ok(throttle.admitRecipients('adele', 6, t))
    assert.ok(throttle.admitRecipients('adele', 6, t + 1000), 'crossing the line goes through')
    assert.ok(!throttle.admitRecipients('adele', 1, t + 2000))
    assert.ok(throttle.admitRecipients('lea', 1, t + 2000), 'per mailbox')
    assert.ok(!throttle.admitRecipients('adele', 1, t + 86_399_000), 'both sends are in the day')
    assert.ok(throttle.admitRecipients('adele', 1, t + 86_400_000), 'rolling: the first is out')
    assert.equal(throttle.upload('adele', 150, t), undefined)
    const refusal = throttle.upload('adele', 1, t + 100_000)
    assert.equal(refusal?.status, 429)
    assert.equal(refusal?.headers['retry-after'], '200', 'until the first upload leaves the window')
    assert.deepEqual(
      [1, 2, 3].map((n) => throttle.tokenLoop('same', t + n)),
      [false, false, true],
    )
    throttle.configure({})
    assert.equal(throttle.tokenLoop('same', t), false, 'off unless configured')
  })
})
