// graphRoutes: the Microsoft Graph mail subset under /v1.0 and /beta, plus the upload-session URLs.
import type { FastifyInstance } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import { attachmentRoutes } from './attachment-routes.ts'
import { batchRoutes } from './batch-routes.ts'
import { setUpGraphScope } from './graph-scope.ts'
import { graphState } from './graph-state.ts'
import { messageRoutes } from './message-routes.ts'
import { sendRoutes } from './send-routes.ts'
import { uploadRoutes } from './upload-routes.ts'
import { userRoutes } from './user-routes.ts'

export async function graphRoutes(app: FastifyInstance, ctx: EmulatorContext): Promise<void> {
  const state = graphState(ctx)
  for (const prefix of ['/v1.0', '/beta']) {
    await app.register(
      async (scope) => {
        setUpGraphScope(scope, state)
        userRoutes(scope, ctx)
        sendRoutes(scope, state)
        messageRoutes(scope, state)
        attachmentRoutes(scope, state)
        batchRoutes(scope)
      },
      { prefix },
    )
  }
  await app.register(async (scope) => uploadRoutes(scope, state))
}
