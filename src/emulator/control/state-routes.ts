/**
 * GET /_emulator/health, POST /_emulator/reset, GET|POST /_emulator/throttling, GET /_emulator/demo: the emulator's
 * state as a whole.
 */
import type { FastifyInstance } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import type { ThrottleSetting } from '../graph/throttle.ts'
import { ControlError } from './control-error.ts'

export function stateRoutes(app: FastifyInstance, context: EmulatorContext): void {
  // Answered once the emulator takes requests: its database is open and every route registered.
  app.get('/health', async (_request, reply) =>
    reply.header('cache-control', 'no-store').send({ status: 'ok' }),
  )

  app.post('/reset', async (_request, reply) => {
    context.reset()
    return reply.code(204).send()
  })

  app.get('/demo', async () => context.demo)

  app.get('/throttling', async () => ({ throttling: context.throttle.limits() }))
  app.post('/throttling', async (request) => {
    context.throttle.configure(readThrottling(request.body))
    return { throttling: context.throttle.limits() }
  })
}

/** `false`, `{ "enabled": false }`, or limits (unset ones take Outlook's values). */
function readThrottling(body: unknown): ThrottleSetting {
  if (body === false) return false
  if (typeof body !== 'object' || body === null) {
    throw new ControlError(
      400,
      'InvalidThrottling',
      'Send false, {"enabled":false} or {concurrent, requestsPer10Min, sendsPerMinute, …}.',
    )
  }
  return (body as { enabled?: boolean }).enabled === false ? false : (body as ThrottleSetting)
}
