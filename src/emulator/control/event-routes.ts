/**
 * eventRoutes: GET /_emulator/events, every change to the mailboxes as Server-Sent Events (`event: mail`), for the
 * inbox viewer's live updates and for tests that wait for a delivery; every stream ends when the emulator closes.
 */
import type { FastifyInstance } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import type { MailEvent } from '../graph/mail-events.ts'

/** How often an idle stream gets a comment line, so that a client gone away is noticed and the stream ended. */
const HEARTBEAT_MS = 20_000
/** What EventSource waits before it reconnects after the stream ends. */
const RETRY_MS = 2_000

export function eventRoutes(app: FastifyInstance, context: EmulatorContext): void {
  const open = new Set<() => void>()
  // Before the server waits for its connections to end: an event stream never ends by itself.
  app.addHook('preClose', (done) => {
    for (const end of open) end()
    done()
  })

  app.get('/events', (request, reply) => {
    reply.hijack()
    const stream = reply.raw
    stream.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      connection: 'keep-alive',
    })
    let seq = 0
    const send = (event: MailEvent) =>
      stream.write(`event: mail\nid: ${++seq}\ndata: ${JSON.stringify(event)}\n\n`)
    // `ready` tells a client that every later change will reach it (a test may then send its mail).
    stream.write(`retry: ${RETRY_MS}\nevent: ready\ndata: {}\n\n`)
    const unsubscribe = context.mailEvents.subscribe(send)
    const heartbeat = setInterval(() => stream.write(': keep-alive\n\n'), HEARTBEAT_MS)
    heartbeat.unref()
    const end = () => {
      clearInterval(heartbeat)
      unsubscribe()
      open.delete(end)
      if (!stream.writableEnded) stream.end()
    }
    open.add(end)
    request.raw.once('close', end)
    stream.once('error', end)
  })
}
