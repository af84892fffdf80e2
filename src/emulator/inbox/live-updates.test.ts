/**
 * The viewer's live updates: GET /_emulator/events (Server-Sent Events) tells every stored change — a mail sent through
 * Graph's sendMail, a read flag — once committed; it is the control API's (loopback, served names); and every stream
 * ends when the emulator closes, so close() does not wait on it.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Emulator } from '../app.ts'
import type { MailEvent } from '../graph/mail-events.ts'
import { createMailStore } from '../graph/mail-store.ts'
import { newRecord } from '../graph/compose.ts'
import { openDatabase } from '../state/db.ts'
import { testEmulator } from '../../../test/kit/emulator-graph.ts'

interface ServerEvent {
  event: string
  data: unknown
}

/** The events of a text/event-stream, as EventSource reads them; `done` when the server ends the stream. */
function eventsOf(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  return async function next(): Promise<ServerEvent | 'done'> {
    for (;;) {
      const end = buffer.indexOf('\n\n')
      if (end !== -1) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const field = (name: string) =>
          block
            .split('\n')
            .find((line) => line.startsWith(`${name}:`))
            ?.slice(name.length + 1)
            .trim()
        const data = field('data')
        if (data === undefined) continue // a comment (keep-alive)
        return { event: field('event') ?? 'message', data: JSON.parse(data) }
      }
      const chunk = await reader.read()
      if (chunk.done) return 'done'
      buffer += decoder.decode(chunk.value, { stream: true })
    }
  }
}

/** Waits at most `ms` for a promise; rejects saying what did not happen. */
const within = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms),
    ),
  ])

describe('GET /_emulator/events', () => {
  let emulator: Emulator
  before(async () => {
    emulator = await testEmulator()
    await emulator.listen({ port: 0, host: '127.0.0.1' })
  })
  after(() => emulator.close())

  it('tells each copy of a mail sent through Graph sendMail, then a read flag changed through Graph', async () => {
    const controller = new AbortController()
    const response = await fetch(`${emulator.url}/_emulator/events`, { signal: controller.signal })
    assert.equal(response.status, 200)
    assert.match(String(response.headers.get('content-type')), /^text\/event-stream/)
    assert.equal(response.headers.get('cache-control'), 'no-store')
    const next = eventsOf(response.body!)
    assert.deepEqual(await next(), { event: 'ready', data: {} })

    const token = await emulator.client.issueToken()
    const sent = await fetch(`${emulator.url}/v1.0/me/sendMail`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        message: {
          subject: 'Live',
          toRecipients: [
            { emailAddress: { address: 'lea@contoso.test' } },
            { emailAddress: { address: 'out@example.org' } },
          ],
        },
      }),
    })
    assert.equal(sent.status, 202)
    const created: MailEvent[] = []
    while (created.length < 3) {
      const event = await within(next(), 5000, 'three mail events')
      assert.notEqual(event, 'done')
      if (event !== 'done' && event.event === 'mail') created.push(event.data as MailEvent)
    }
    const lea = emulator.demo.users.find((user) => user.userPrincipalName === 'lea@contoso.test')!
    const adele = emulator.demo.users[0]!
    assert.deepEqual(
      created.map(({ change, mailbox, folder, subject, from }) => ({
        change,
        mailbox,
        folder,
        subject,
        from,
      })),
      [
        {
          change: 'created',
          mailbox: adele.id,
          folder: 'sentitems',
          subject: 'Live',
          from: 'adele@contoso.test',
        },
        {
          change: 'created',
          mailbox: lea.id,
          folder: 'inbox',
          subject: 'Live',
          from: 'adele@contoso.test',
        },
        {
          change: 'created',
          mailbox: 'external',
          folder: 'outbox',
          subject: 'Live',
          from: 'adele@contoso.test',
        },
      ],
    )

    const reader = await emulator.client.issueToken({
      user: 'lea@contoso.test',
      scp: 'Mail.ReadWrite',
    })
    const patched = await fetch(`${emulator.url}/v1.0/me/messages/${created[1]!.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${reader}`, 'content-type': 'application/json' },
      body: JSON.stringify({ isRead: true }),
    })
    assert.equal(patched.status, 200)
    const updated = await within(next(), 5000, 'the update')
    assert.notEqual(updated, 'done')
    assert.deepEqual(
      updated !== 'done' && { event: updated.event, ...(updated.data as MailEvent) },
      {
        event: 'mail',
        change: 'updated',
        id: created[1]!.id,
        mailbox: lea.id,
        folder: 'inbox',
        subject: 'Live',
        isRead: true,
      },
    )
    controller.abort()
  })

  it('answers loopback clients and served names only, like the rest of the control API', async () => {
    const remote = await emulator.fastify.inject({
      url: '/_emulator/events',
      remoteAddress: '10.1.2.3',
    })
    assert.equal(remote.statusCode, 403)
    const foreign = await emulator.fastify.inject({
      url: '/_emulator/events',
      headers: { host: 'attacker.example' },
    })
    assert.equal(foreign.statusCode, 421)
  })
})

describe('closing the emulator', () => {
  it('ends every event stream, and close() does not wait for a listener to leave', async () => {
    const emulator = await testEmulator()
    await emulator.listen({ port: 0, host: '127.0.0.1' })
    const streams = await Promise.all(
      [1, 2].map(async () => eventsOf((await fetch(`${emulator.url}/_emulator/events`)).body!)),
    )
    for (const next of streams) assert.equal((await next()) !== 'done' && 'ready', 'ready')
    assert.equal(emulator.context.mailEvents.listenerCount, 2)
    await within(emulator.close(), 5000, 'close() resolving')
    for (const next of streams)
      assert.equal(await within(next(), 5000, 'the stream ending'), 'done')
    assert.equal(emulator.context.mailEvents.listenerCount, 0)
  })
})

describe('the mail store tells changes once they are committed', () => {
  it('tells nothing of a transaction rolled back, and everything of one committed, after its commit', () => {
    const db = openDatabase()
    const told: MailEvent[] = []
    const store = createMailStore(db, (event) => told.push(event))
    const now = new Date().toISOString()
    assert.throws(() =>
      store.transaction(() => {
        store.insert({ ...newRecord('user-1', 'inbox', now), subject: 'lost' })
        throw new Error('the send failed')
      }),
    )
    assert.deepEqual(told, [])
    assert.equal(store.totals().total, 0)
    store.transaction(() => {
      store.insert({ ...newRecord('user-1', 'inbox', now), subject: 'kept' })
      assert.deepEqual(told, [], 'not before the commit')
    })
    assert.deepEqual(
      told.map(({ change, subject }) => ({ change, subject })),
      [{ change: 'created', subject: 'kept' }],
    )
    store.empty('user-1')
    assert.deepEqual(told.at(-1), { change: 'cleared', mailbox: 'user-1' })
    db.close()
  })
})
