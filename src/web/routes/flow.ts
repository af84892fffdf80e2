/** `flowRoutes`: GET /flow, the flow inspector — the five steps of this session's sign-in, secrets redacted. */
import type { FastifyInstance } from 'fastify'
import type { Store } from '../../core/index.ts'
import { flowKey, type FlowRecord } from '../flow-record.ts'

export interface FlowRoutesOptions {
  store: Store
}

export async function flowRoutes(app: FastifyInstance, options: FlowRoutesOptions): Promise<void> {
  app.get('/flow', async function flow(request, reply) {
    const session = await request.session()
    const user = session.user
    if (!user) return reply.redirect('/', 303)
    const record = await options.store.get<FlowRecord>(flowKey(user.partition))
    return reply.page('flow', { flow: record, pageTitle: request.t('flow.title') }, session)
  })
}
