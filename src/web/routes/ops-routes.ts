/** Liveness, readiness (store reachable, not shutting down) and the flow inspector. */
import type { FastifyInstance } from 'fastify'
import type { FlowRecord } from '../flow.ts'
import type { WebContext } from '../web-context.ts'

const readinessTimeoutMs = 1000

export function opsRoutes(app: FastifyInstance, context: WebContext): void {
  app.get('/healthz', async function healthz(_request, reply) {
    return reply.header('cache-control', 'no-store').send({ status: 'ok' })
  })

  app.get('/readyz', async function readyz(_request, reply) {
    reply.header('cache-control', 'no-store')
    if (context.state.shuttingDown)
      return reply.code(503).header('retry-after', '5').send({ status: 'shutting down' })
    try {
      await withTimeout(context.store.ping(), readinessTimeoutMs)
      return reply.send({ status: 'ready' })
    } catch {
      return reply.code(503).header('retry-after', '5').send({ status: 'store unavailable' })
    }
  })

  if (!context.config.flowInspector) return
  app.get('/flow', async function flow(request, reply) {
    const session = await request.session()
    const user = session.key ? session.data.user : undefined
    if (!user) return reply.redirect('/', 303)
    const record = await context.store.get<FlowRecord>(`flow:${user.partition}`)
    return context.page(
      request,
      reply,
      'flow',
      { flow: record, pageTitle: request.t('flow.title') },
      session,
    )
  })
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
