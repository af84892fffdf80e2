/** installJournalAndFaults: root hooks that journal every request and apply scripted faults, on every emulator route. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import { BATCH_ITEM_HEADER } from '../graph/batch-routes.ts'
import { isControlRequest } from './control-paths.ts'
import { faultAnswer } from './fault-response.ts'
import type { FaultAction } from './faults.ts'
import type { JournalEntry } from './journal.ts'

/** What the hooks know about one request while it is handled. */
export interface JournalTrace {
  /** Undefined for the inner requests of a `$batch` (the journal records only the outer one). */
  entry?: JournalEntry
  started: number
  /** The path without query, as the faults match it. */
  path: string
  /**
   * Set by a fault that acts once the request is processed (deliverThen, answerDelayMs): the onSend hook applies it,
   * then clears it.
   */
  afterProcessing?: FaultAction
  action?: FaultAction
  /** A fault destroyed the connection: the entry's status stays 0. */
  reset?: boolean
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

  app.addHook('onRequest', (request, reply, done) => {
    if (isControlRequest(request)) return done()
    const trace: JournalTrace = { started: performance.now(), path: pathOf(request.url) }
    if (request.headers[BATCH_ITEM_HEADER] === undefined) {
      const url = request.originalUrl
      const path = pathOf(url)
      const query = request.query as Record<string, unknown>
      trace.entry = journal.record(
        request.method,
        path,
        query,
        request.headers,
        url.length - path.length,
      )
    }
    request.journalTrace = trace
    // A client that goes away before the answer (a timeout during a delay) leaves no onResponse: the entry still gets
    // a status and a duration, set by whichever of onSend, onResponse or this comes first.
    if (trace.entry) reply.raw.once('close', () => finish(trace, 0))
    done()
  })

  // Faults apply once the body is read (so the journal has it) and after Graph's token and throttling checks.
  app.addHook('preHandler', (request, reply, done) => {
    const trace = request.journalTrace
    if (!trace) return done()
    if (trace.entry)
      journal.setBody(trace.entry, request.body, Number(request.headers['content-length'] ?? 0))
    const action = faults.take(request.method, trace.path)
    if (!action) return done()
    // The reply is sent (or the connection destroyed) here when applyFault says so; Fastify must not go on then.
    applyFault(request, reply, trace, action).then((answered) => answered || done(), done)
  })

  // "Deliver then answer 504 / 202 / reset", "answer late": the handler ran (mail delivered); the answer is replaced,
  // delayed, or never given.
  app.addHook('onSend', (request, reply, payload, done) => {
    const trace = request.journalTrace
    const action = trace?.afterProcessing
    if (!trace || !action) {
      if (trace?.entry) finish(trace, reply.statusCode, true)
      return done(null, payload)
    }
    trace.afterProcessing = undefined
    const answer = () => {
      const handled = reply.statusCode
      const late = action.answerDelayMs ? ` after ${action.answerDelayMs}ms` : ''
      if (action.deliverThen === 'reset') {
        note(trace, `deliverThen reset${late} (handler answered ${handled})`)
        resetNow(request, trace)
        return done(null, payload) // written to a destroyed socket: nothing reaches the client
      }
      if (action.deliverThen === undefined) {
        note(trace, `answerDelay ${action.answerDelayMs}ms (handler answered ${handled})`)
        finish(trace, handled, true)
        return done(null, payload)
      }
      const replaced = faultAnswer(reply, trace.path, action.deliverThen, action)
      note(trace, `deliverThen ${action.deliverThen}${late} (handler answered ${handled})`)
      for (const name of ['content-length', 'location', 'content-type']) reply.removeHeader(name)
      reply.code(replaced.status).headers(replaced.headers)
      finish(trace, replaced.status, true)
      done(null, replaced.payload)
    }
    if (action.answerDelayMs) setTimeout(answer, action.answerDelayMs)
    else answer()
  })

  app.addHook('onResponse', (request, reply, done) => {
    const trace = request.journalTrace
    if (trace) finish(trace, reply.statusCode, true)
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
    note(trace, 'reset')
    reply.hijack()
    resetNow(request, trace)
    return true
  }
  if (action.deliverThen !== undefined || action.answerDelayMs !== undefined) {
    trace.afterProcessing = action
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

function note(trace: JournalTrace, fault: string): void {
  if (trace.entry) trace.entry.fault = fault
}

/**
 * Sets the entry's status and duration (the time until the emulator stopped working on the request). `final` ones
 * (the answer handed to Node or written, the connection reset by a fault) replace earlier ones; the others (the client
 * went away first) only fill what is still unknown. A fault's reset stays a reset.
 */
function finish(trace: JournalTrace, status: number, final = false): void {
  const entry = trace.entry
  if (!entry || trace.reset || (!final && entry.durationMs !== null)) return
  entry.status = status
  entry.durationMs = Math.round((performance.now() - trace.started) * 10) / 10
}

/** A fault destroyed the connection: status 0, for good. */
function resetNow(request: FastifyRequest, trace: JournalTrace): void {
  finish(trace, 0, true)
  trace.reset = true
  request.raw.socket?.destroy()
}
