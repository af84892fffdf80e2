// installJournalAndFaults: root hooks that journal every request and apply scripted faults, on every emulator route.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import { BATCH_ITEM_HEADER } from '../graph/batch-routes.ts'
import { controlState } from './control-state.ts'
import { faultAnswer } from './fault-response.ts'
import type { FaultAction } from './faults.ts'
import { journalBody, type JournalEntry } from './journal.ts'

const CONTROL_PREFIX = '/_emulator/'
interface Tracked {
  entry?: JournalEntry
  started: number
  path: string
  deliverThen?: number
  action?: FaultAction
}

/**
 * Call on the root instance before any route plugin is registered, so every route inherits the hooks. They run on every
 * request, so they are callback-style (no promise per hook) and cheap when no fault is scripted: the journal keeps
 * references to the parsed headers, query and body (no copies) and formats the entry only when it is read.
 */
export function installJournalAndFaults(app: FastifyInstance, ctx: EmulatorContext): void {
  const { journal, faults } = controlState(ctx)
  const tracked = new WeakMap<FastifyRequest, Tracked>()

  app.addHook('onRequest', (request, _reply, done) => {
    const path = pathOf(request.url)
    if (path.startsWith(CONTROL_PREFIX)) return done()
    const state: Tracked = { started: performance.now(), path }
    if (request.headers[BATCH_ITEM_HEADER] === undefined) {
      state.entry = journal.record(
        request.method,
        pathOf(request.originalUrl),
        request.query as Record<string, unknown>,
        request.headers,
      )
    }
    tracked.set(request, state)
    done()
  })

  // Faults apply once the body is read (so the journal has it) and after Graph's token and throttling checks.
  app.addHook('preHandler', (request, reply, done) => {
    const state = tracked.get(request)
    if (!state) return done()
    if (state.entry)
      state.entry.body = journalBody(request.body, Number(request.headers['content-length'] ?? 0))
    const action = faults.take(request.method, state.path)
    if (!action) return done()
    // The reply is sent (or the connection destroyed) here when applyFault says so; Fastify must not go on then.
    applyFault(request, reply, state, action).then((answered) => answered || done(), done)
  })

  // "Deliver then answer 504": the handler ran (mail delivered); only the answer is replaced.
  app.addHook('onSend', (request, reply, payload, done) => {
    const state = tracked.get(request)
    if (state?.deliverThen === undefined || !state.action) return done(null, payload)
    const answer = faultAnswer(reply, state.path, state.deliverThen, state.action)
    note(state, `deliverThen ${state.deliverThen} (handler answered ${reply.statusCode})`)
    state.deliverThen = undefined
    for (const name of ['content-length', 'location', 'content-type']) reply.removeHeader(name)
    reply.code(answer.status).headers(answer.headers)
    done(null, answer.payload)
  })

  app.addHook('onResponse', (request, reply, done) => {
    const state = tracked.get(request)
    if (state?.entry && state.entry.status !== 0) {
      state.entry.status = reply.statusCode
      state.entry.durationMs = Math.round((performance.now() - state.started) * 10) / 10
    }
    done()
  })
}

/** Applies a scripted fault; true when it answered (or reset the connection) itself. */
async function applyFault(
  request: FastifyRequest,
  reply: FastifyReply,
  state: Tracked,
  action: FaultAction,
): Promise<boolean> {
  state.action = action
  if (action.delayMs) await new Promise((resolve) => setTimeout(resolve, action.delayMs))
  if (action.reset) {
    note(state, 'reset', 0)
    reply.hijack()
    request.raw.socket?.destroy()
    return true
  }
  if (action.deliverThen !== undefined) {
    state.deliverThen = action.deliverThen
    return false
  }
  if (action.status !== undefined) {
    note(state, `status ${action.status}`)
    send(reply, faultAnswer(reply, state.path, action.status, action))
    return true
  }
  if (state.entry) state.entry.fault = `delay ${action.delayMs}ms`
  return false
}

function pathOf(url: string): string {
  const query = url.indexOf('?')
  return query === -1 ? url : url.slice(0, query)
}

function note(state: Tracked, fault: string, status?: number): void {
  if (!state.entry) return
  state.entry.fault = fault
  if (status !== undefined) state.entry.status = status
}

function send(reply: FastifyReply, answer: ReturnType<typeof faultAnswer>) {
  return reply.code(answer.status).headers(answer.headers).send(answer.payload)
}
