// Control API for the identity side (loopback only): add users/apps/redirect URIs, shape tokens, revoke RTs.
import type { FastifyInstance } from 'fastify'
import type { EmulatorContext } from '../context.ts'

export async function identityControlRoutes(app: FastifyInstance, ctx: EmulatorContext): Promise<void> {
  void app
  void ctx
}
