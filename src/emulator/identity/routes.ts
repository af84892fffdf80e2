// Identity endpoints (Entra paths on the emulator's base URL), registered as one encapsulated plugin.
import type { FastifyInstance } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import { discoveryRoutes } from './discovery.ts'

export async function identityRoutes(app: FastifyInstance, ctx: EmulatorContext): Promise<void> {
  await app.register((scope) => discoveryRoutes(scope, ctx))
}
