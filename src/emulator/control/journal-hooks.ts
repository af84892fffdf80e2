/** installJournalAndFaults: root hooks that journal every request and apply scripted faults, on every emulator route. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import { BATCH_ITEM_HEADER } from '../graph/batch-routes.ts'
import { isControlRequest } from './control-paths.ts'
import { faultAnswer } from './fault-response.ts'
import type { FaultAction } from './faults.ts'
import { journalBody, type JournalEntry } from './journal.ts'

/** What the hooks know about one request while it is handled. */
export interface JournalTrace {
  /** Undefined for the inner requests of a `$batch` (the journal records only the outer one). */
  entry?: JournalEntry
  started: number
  /** The path without query, as the faults match it. */
  path: string
  /** Set by a "deliver then answer" fault: the status that replaces the handler's answer. */
  deliverThen?: number
  action?: FaultAction
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the journal's onRequest hook; null for control requests. */
    journalTrace: JournalTrace | null
  }
}

/**
 * Call on the root instance before any route plugin is registered, so every route inherits the hooks. They run on every
 * request, so they are callback-style (no promise per hook) and cheap when no fault is scripted: the journal keeps
 * references to the parsed headers, query and body (no copies) and formats the entry only when it is read.
 */
export function installJournalAndFaults(app: FastifyInstance, context: EmulatorContext): void {
  const { journal, faults } = context
  app.decorateRequest('journalTrace', null)

  app.addHook('onRequest', (request, _reply, done) => {
    if (isControlRequest(request)) return done()
    const trace: JournalTrace = { started: performance.now(), path: pathOf(request.url) }
    if (request.headers[BATCH_ITEM_HEADER] === undefined) {
      trace.entry = journal.record(
        request.method,
        pathOf(request.originalUrl),
        request.query as Record<string, unknown>,
        request.headers,
      )
    }
    request.journalTrace = trace
    done()
  })

  // Faults apply once the body is read (so the journal has it) and after Graph's token and throttling checks.
  app.addHook('preHandler', (request, reply, done) => {
    const trace = request.journalTrace
    if (!trace) return done()
    if (trace.entry)
      trace.entry.body = journalBody(request.body, Number(request.headers['content-length'] ?? 0))
    const action = faults.take(request.method, trace.path)
    if (!action) return done()
    // The reply is sent (or the connection destroyed) here when applyFault says so; Fastify must not go on then.
    applyFault(request, reply, trace, action).then((answered) => answered || done(), done)
  })

  // "Deliver then answer 504": the handler ran (mail delivered); only the answer is replaced.
  app.addHook('onSend', (request, reply, payload, done) => {
    const trace = request.journalTrace
    if (trace?.deliverThen === undefined || !trace.action) return done(null, payload)
    const answer = faultAnswer(reply, trace.path, trace.deliverThen, trace.action)
    note(trace, `deliverThen ${trace.deliverThen} (handler answered ${reply.statusCode})`)
    trace.deliverThen = undefined
    for (const name of ['content-length', 'location', 'content-type']) reply.removeHeader(name)
    reply.code(answer.status).headers(answer.headers)
    done(null, answer.payload)
  })

  app.addHook('onResponse', (request, reply, done) => {
    const entry = request.journalTrace?.entry
    if (entry && entry.status !== 0) {
      entry.status = reply.statusCode
      entry.durationMs = Math.round((performance.now() - request.journalTrace!.started) * 10) / 10
    }
    done()
  })
}

/** Applies a scripted fault; true when it answered (or reset the connection) itself. */
async function applyFault(
  request: FastifyRequest,
  reply: FastifyReply,
  trace: JournalTrace,
  action: FaultAction,
): Promise<boolean> {
  trace.action = action
  if (action.delayMs) await new Promise((resolve) => setTimeout(resolve, action.delayMs))
  if (action.reset) {
    note(trace, 'reset', 0)
    reply.hijack()
    request.raw.socket?.destroy()
    return true
  }
  if (action.deliverThen !== undefined) {
    trace.deliverThen = action.deliverThen
    return false
  }
  if (action.status !== undefined) {
    note(trace, `status ${action.status}`)
    const answer = faultAnswer(reply, trace.path, action.status, action)
    reply.code(answer.status).headers(answer.headers).send(answer.payload)
    return true
  }
  if (trace.entry)
    trace.entry.fault = action.withholdScopes
      ? `withholdScopes ${action.withholdScopes.join(' ')}`
      : `delay ${action.delayMs}ms`
  return false
}

function pathOf(url: string): string {
  const query = url.indexOf('?')
  return query === -1 ? url : url.slice(0, query)
}

function note(trace: JournalTrace, fault: string, status?: number): void {
  if (!trace.entry) return
  trace.entry.fault = fault
  if (status !== undefined) trace.entry.status = status
}
