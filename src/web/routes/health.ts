/** `healthRoutes`: liveness (/healthz) and readiness (/readyz: the store answers, the app is not draining). */
import type { FastifyInstance } from 'fastify'
import type { Store } from '../../core/index.ts'

export interface HealthRoutesOptions {
  store: Store
  /** True once the app drains (RE-09): readiness drops at once. */
  draining: () => boolean
}

const readinessTimeoutMs = 1000

export async function healthRoutes(
  app: FastifyInstance,
  options: HealthRoutesOptions,
): Promise<void> {
  app.get('/healthz', async function healthz(_request, reply) {
    return reply.header('cache-control', 'no-store').send({ status: 'ok' })
  })

  app.get('/readyz', async function readyz(_request, reply) {
    reply.header('cache-control', 'no-store')
    if (options.draining())
      return reply.code(503).header('retry-after', '5').send({ status: 'shutting down' })
    try {
      await withTimeout(options.store.ping(), readinessTimeoutMs)
      return reply.send({ status: 'ready' })
    } catch {
      return reply.code(503).header('retry-after', '5').send({ status: 'store unavailable' })
    }
  })
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), timeoutMs)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
