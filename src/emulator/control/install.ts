// installJournalAndFaults: root hooks that journal every request and apply scripted faults, on every emulator route.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import { BATCH_ITEM_HEADER } from '../graph/batch-routes.ts'
import { controlState } from './control-state.ts'
import { faultAnswer } from './fault-response.ts'
import type { FaultAction } from './faults.ts'
import { journalBody, type JournalEntry } from './journal.ts'

const CONTROL_PREFIX = '/_emulator/'
interface Tracked { entry?: JournalEntry; started: number; deliverThen?: number; action?: FaultAction }

/** Call on the root instance before any route plugin is registered, so every route inherits the hooks. */
export function installJournalAndFaults(app: FastifyInstance, ctx: EmulatorContext): void {
  const { journal, faults } = controlState(ctx)
  const tracked = new WeakMap<FastifyRequest, Tracked>()
  const pathOf = (request: FastifyRequest) => request.url.split('?')[0]!

  app.addHook('onRequest', async (request) => {
    const path = pathOf(request)
    if (path.startsWith(CONTROL_PREFIX)) return
    const state: Tracked = { started: performance.now() }
    if (request.headers[BATCH_ITEM_HEADER] === undefined) {
      state.entry = journal.record({
        time: new Date().toISOString(), method: request.method, path: request.originalUrl.split('?')[0]!, query: request.query as Record<string, unknown>,
        headers: request.headers, body: null, status: null, durationMs: null,
      })
    }
    tracked.set(request, state)
  })

  // Faults apply once the body is read (so the journal has it) and after Graph's token and throttling checks.
  app.addHook('preHandler', async (request, reply) => {
    const state = tracked.get(request)
    if (!state) return
    if (state.entry) state.entry.body = journalBody(request.body, Number(request.headers['content-length'] ?? 0))
    const action = faults.take(request.method, pathOf(request))
    if (!action) return
    state.action = action
    if (action.delayMs) await new Promise((resolve) => setTimeout(resolve, action.delayMs))
    if (action.reset) {
      note(state, 'reset', 0)
      reply.hijack()
      request.raw.socket?.destroy()
      return reply
    }
    if (action.deliverThen !== undefined) {
      state.deliverThen = action.deliverThen
      return
    }
    if (action.status !== undefined) {
      note(state, `status ${action.status}`)
      return send(reply, faultAnswer(reply, pathOf(request), action.status, action))
    }
    if (state.entry) state.entry.fault = `delay ${action.delayMs}ms`
  })

  // "Deliver then answer 504": the handler ran (mail delivered); only the answer is replaced.
  app.addHook('onSend', async (request, reply, payload) => {
    const state = tracked.get(request)
    if (state?.deliverThen === undefined || !state.action) return payload
    const answer = faultAnswer(reply, pathOf(request), state.deliverThen, state.action)
    note(state, `deliverThen ${state.deliverThen} (handler answered ${reply.statusCode})`)
    state.deliverThen = undefined
    for (const name of ['content-length', 'location', 'content-type']) reply.removeHeader(name)
    reply.code(answer.status).headers(answer.headers)
    return answer.payload
  })

  app.addHook('onResponse', async (request, reply) => {
    const state = tracked.get(request)
    if (!state?.entry || state.entry.status === 0) return
    state.entry.status = reply.statusCode
    state.entry.durationMs = Math.round((performance.now() - state.started) * 10) / 10
  })
}

function note(state: Tracked, fault: string, status?: number): void {
  if (!state.entry) return
  state.entry.fault = fault
  if (status !== undefined) state.entry.status = status
}

function send(reply: FastifyReply, answer: ReturnType<typeof faultAnswer>) {
  return reply.code(answer.status).headers(answer.headers).send(answer.payload)
}
