/** controlRoutes: the loopback-only control and inspection API, registered under /_emulator (docs/EMULATOR-CONTROL.md). */
import type { FastifyInstance } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import { controlErrorHandler } from './control-error.ts'
import { directoryRoutes } from './directory-routes.ts'
import { eventRoutes } from './event-routes.ts'
import { faultRoutes } from './fault-routes.ts'
import { journalRoutes } from './journal-routes.ts'
import { loopbackOnly } from './loopback-only.ts'
import { mailboxRoutes } from './mailbox-routes.ts'
import { sameOriginWrites } from './same-origin-writes.ts'
import { stateRoutes } from './state-routes.ts'
import { tokenRoutes } from './token-routes.ts'

const ROUTES = [
  journalRoutes,
  faultRoutes,
  stateRoutes,
  mailboxRoutes,
  directoryRoutes,
  tokenRoutes,
  eventRoutes,
]

/** Register with `{ prefix: CONTROL_PREFIX }`: the guards then cover every control route and nothing else. */
export async function controlRoutes(app: FastifyInstance, context: EmulatorContext): Promise<void> {
  app.addHook('onRequest', loopbackOnly)
  app.addHook('onRequest', sameOriginWrites)
  app.setErrorHandler(controlErrorHandler)
  // An empty JSON body reads as no body, so each route answers it with what to send (Fastify's parser refuses it).
  const parseJson = app.getDefaultJsonParser('error', 'error')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) =>
    body === '' ? done(null, undefined) : parseJson(request, body as string, done),
  )
  for (const routes of ROUTES) routes(app, context)
}
