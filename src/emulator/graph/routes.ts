/**
 * graphRoutes: the Microsoft Graph subset under /v1.0 and /beta (users, mail, mailbox settings, calendar, contacts),
 * plus the upload-session URLs.
 */
import type { FastifyInstance } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import { attachmentRoutes } from './attachment-routes.ts'
import { batchRoutes } from './batch-routes.ts'
import { createAuthenticator } from './authenticate.ts'
import { calendarRoutes } from './calendar-routes.ts'
import { contactRoutes } from './contact-routes.ts'
import { eventRoutes } from './event-routes.ts'
import { decorateGraphRequest } from './graph-request.ts'
import { setUpGraphScope } from './graph-scope.ts'
import { mailboxSettingsRoutes } from './mailbox-settings-routes.ts'
import { messageActionRoutes } from './message-action-routes.ts'
import { messageRoutes } from './message-routes.ts'
import { sendRoutes } from './send-routes.ts'
import { uploadRoutes } from './upload-routes.ts'
import { userListRoutes } from './user-list.ts'
import { userRoutes } from './user-routes.ts'

export async function graphRoutes(app: FastifyInstance, context: EmulatorContext): Promise<void> {
  const authenticate = createAuthenticator(context.signer)
  decorateGraphRequest(app)
  for (const prefix of ['/v1.0', '/beta']) {
    await app.register(
      async (scope) => {
        setUpGraphScope(scope, context, authenticate)
        userRoutes(scope, context)
        userListRoutes(scope, context)
        mailboxSettingsRoutes(scope, context)
        calendarRoutes(scope, context)
        eventRoutes(scope, context)
        contactRoutes(scope, context)
        sendRoutes(scope, context)
        messageRoutes(scope, context)
        messageActionRoutes(scope, context)
        attachmentRoutes(scope, context)
        batchRoutes(scope)
      },
      { prefix },
    )
  }
  await app.register(async (scope) => uploadRoutes(scope, context))
}
