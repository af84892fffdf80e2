/**
 * The faults of ambiguous sends over real HTTP (deliver then 202 / reset / a late answer; probability with a seed) and
 * what the journal says of them (fault, mailbox, status, durationMs, millisecond arrival times).
 */
import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import type { Emulator } from '../app.ts'
import { EmulatorClient, EmulatorControlError } from '../client.ts'
import { mulberry32, type FaultSpec } from './faults.ts'
import { seedMail, testEmulator } from '../../../test/kit/emulator-graph.ts'

const SEND = { method: 'POST', path: '/sendMail$' }

describe('faults of ambiguous sends, and the journal of them', () => {
  let emulator: Emulator
  let client: EmulatorClient
  let token: string
  let adele: string
  before(async () => {
    emulator = await testEmulator()
    await emulator.listen({ port: 0, host: '127.0.0.1' })
    client = new EmulatorClient(emulator.url)
    token = await client.issueToken()
    adele = (await client.demo()).users[0]!.userPrincipalName
  })
  beforeEach(() => client.reset())
  after(() => emulator.close())

  const fault = (spec: FaultSpec) => client.addFault(spec)
  const send = (subject: string, signal?: AbortSignal) =>
    fetch(`${emulator.url}/v1.0/me/sendMail`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(seedMail(['lea@contoso.test'], subject)),
      signal,
    })
  const inbox = async (subject: string) =>
    (await client.messages('lea@contoso.test', { folder: 'inbox' })).filter(
      (message) => message.subject === subject,
    ).length
  const lastEntry = async () => (await client.journal({ path: '/sendMail' })).at(-1)!

  it('deliverThen 202 + retryAfter: delivered, then 202, empty body, no content type, Retry-After', async () => {
    await fault({ match: SEND, action: { deliverThen: 202, retryAfter: 7 } })
    const response = await send('202 then')
    assert.equal(response.status, 202)
    assert.equal(await response.text(), '')
    assert.equal(response.headers.get('content-type'), null)
    assert.equal(response.headers.get('retry-after'), '7')
    assert.equal(await inbox('202 then'), 1)
    const entry = await lastEntry()
    assert.equal(entry.status, 202)
    assert.match(entry.fault!, /^deliverThen 202 /)
  })

  it('deliverThen "reset": delivered, then the connection is destroyed without an answer', async () => {
    await fault({ match: SEND, action: { deliverThen: 'reset' } })
    await assert.rejects(send('reset then'), TypeError)
    assert.equal(await inbox('reset then'), 1, 'the mail was delivered before the reset')
    const entry = await lastEntry()
    assert.equal(entry.status, 0)
    assert.match(entry.fault!, /^deliverThen reset/)
    assert.equal(typeof entry.durationMs, 'number')
    assert.equal((await send('after')).status, 202, 'the next request goes through')
  })

  it('a reset before processing delivers nothing and still has a duration', async () => {
    await fault({ match: SEND, action: { reset: true } })
    await assert.rejects(send('never'), TypeError)
    assert.equal(await inbox('never'), 0)
    const entry = await lastEntry()
    assert.deepEqual([entry.status, entry.fault, typeof entry.durationMs], [0, 'reset', 'number'])
  })

  it('answerDelayMs: delivered at once, the answer only after the delay (past a client timeout)', async () => {
    await fault({ match: SEND, action: { answerDelayMs: 400 } })
    await assert.rejects(send('late', AbortSignal.timeout(100)), /abort|timeout/i)
    assert.equal(await inbox('late'), 1, 'delivered before the client gave up')
    await new Promise((resolve) => setTimeout(resolve, 450))
    const entry = await lastEntry()
    assert.equal(entry.status, 202)
    assert.match(entry.fault!, /^answerDelay 400ms/)
    assert.ok(entry.durationMs! >= 390, `durationMs ${entry.durationMs} covers the late answer`)
  })

  it('deliverThen 504 + answerDelayMs: the 504 comes late, the note says so', async () => {
    await fault({ match: SEND, action: { deliverThen: 504, answerDelayMs: 150 } })
    const response = await send('late 504')
    assert.equal(response.status, 504)
    assert.equal((await response.json()).error.code, 'GatewayTimeout')
    const entry = await lastEntry()
    assert.match(entry.fault!, /^deliverThen 504 after 150ms/)
    assert.ok(entry.durationMs! >= 140)
  })

  it('refuses ambiguous combinations, saying what to send', async () => {
    const bad: FaultSpec[] = [
      { match: SEND, action: { reset: true, deliverThen: 504 } },
      { match: SEND, action: { status: 503, answerDelayMs: 10 } },
      { match: SEND, action: { deliverThen: 'later' as unknown as number } },
      { match: SEND, probability: 0, action: { status: 503 } },
      { match: SEND, probability: 1.5, action: { status: 503 } },
      { match: SEND, seed: -1, action: { status: 503 } },
      { match: SEND, action: { answerDelayMs: 700_000 } },
    ]
    for (const spec of bad) {
      await assert.rejects(
        fault(spec),
        (error: unknown) => error instanceof EmulatorControlError && error.code === 'InvalidFault',
        JSON.stringify(spec),
      )
    }
  })

  it('probability with a seed: the same requests take the fault; count bounds it; spared ones go on', async () => {
    const outcomes = async () => {
      await client.reset()
      await fault({
        match: SEND,
        count: 1_000_000,
        probability: 0.3,
        seed: 42,
        action: { status: 503 },
      })
      await fault({ match: SEND, count: 2, action: { status: 429 } })
      const statuses: number[] = []
      for (let index = 0; index < 30; index++) statuses.push((await send(`p${index}`)).status)
      return statuses
    }
    const first = await outcomes()
    assert.deepEqual(await outcomes(), first, 'the same seed, the same dice')
    // mulberry32(42) decides which requests the first fault takes; the first two it spares meet the second fault.
    const dice = mulberry32(42)
    let spared = 0
    const expected = first.map(() => (dice() < 0.3 ? 503 : spared++ < 2 ? 429 : 202))
    assert.deepEqual(first, expected)
    assert.ok(first.includes(503) && first.includes(202))
    const [listed] = await client.listFaults()
    assert.equal(listed!.probability, 0.3)
    assert.equal(listed!.remaining, 1_000_000 - first.filter((status) => status === 503).length)
  })

  it('count bounds a probable fault', async () => {
    await fault({ match: SEND, count: 2, probability: 1, seed: 1, action: { status: 503 } })
    const statuses = [await send('a'), await send('b'), await send('c')].map((r) => r.status)
    assert.deepEqual(statuses, [503, 503, 202])
  })

  it('journals the mailbox of every Graph mailbox route, and millisecond times', async () => {
    const mark = await client.mark()
    await send('mine')
    const appToken = await client.issueToken({ roles: ['Mail.Send', 'User.Read.All'] })
    const lea = (await client.demo()).users.find((user) =>
      user.userPrincipalName.startsWith('lea'),
    )!
    await fetch(`${emulator.url}/v1.0/users/${lea.userPrincipalName}/sendMail`, {
      method: 'POST',
      headers: { authorization: `Bearer ${appToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(seedMail([adele], 'from Lea')),
    })
    await fetch(`${emulator.url}/v1.0/users?$top=1`, {
      headers: { authorization: `Bearer ${appToken}` },
    })
    const entries = await client.journal({ since: mark })
    const idOf = (upn: string) => emulator.context.directory.findUser(upn)!.id
    assert.deepEqual(
      entries.map((entry) => [entry.path, entry.mailbox]),
      [
        ['/v1.0/me/sendMail', idOf(adele)],
        [`/v1.0/users/${lea.userPrincipalName}/sendMail`, idOf(lea.userPrincipalName)],
        ['/v1.0/users', null],
      ],
    )
    for (const entry of entries) {
      assert.match(entry.time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
      assert.equal(typeof entry.durationMs, 'number')
    }
  })
})
