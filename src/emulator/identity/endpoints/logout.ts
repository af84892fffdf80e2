/**
 * GET|POST /{tenant}/oauth2/v2.0/logout and v1 /{tenant}/oauth2/logout: end the SSO session, then go back only
 * to a registered post-logout URI (with state), else show "You signed out".
 */
import type { EmulatorContext } from '../../context.ts'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { stringParams } from '../checks/authorize-request.ts'
import { cookieOptions, readSession, SESSION_COOKIE } from '../sign-in/sso-session.ts'
import { pickLang, strings } from '../i18n/index.ts'
import { messagePage } from '../sign-in/pages.ts'
import { sendPage } from '../sign-in/send-page.ts'

export async function logoutRoutes(app: FastifyInstance, context: EmulatorContext): Promise<void> {
  const store = context.identity
  const handler = (request: FastifyRequest, reply: FastifyReply) => {
    const params = stringParams(request.method === 'POST' ? request.body : undefined, request.query)
    const session = readSession(store, request)
    if (session) store.delete('session', session.id)
    void reply.clearCookie(SESSION_COOKIE, cookieOptions(context))
    const target = params.post_logout_redirect_uri
    const registered = target && isRegistered(target, params.client_id)
    if (registered) {
      const url = params.state
        ? `${target}${target.includes('?') ? '&' : '?'}state=${encodeURIComponent(params.state)}`
        : target
      return reply.code(302).header('location', url).send()
    }
    const s = strings[pickLang(params.ui_locales, request.headers['accept-language'])]
    return sendPage(
      reply,
      messagePage(
        { s, tenantName: context.directory.tenant.displayName },
        s.signedOutTitle,
        s.signedOutText,
      ),
    )
  }
  /** Registered on the given app, or (without client_id) on any app of the tenant. */
  function isRegistered(uri: string, clientId?: string): boolean {
    const apps = clientId ? [context.directory.findApp(clientId)] : allApps()
    return apps.some(
      (app) => app && (app.postLogoutRedirectUris.includes(uri) || app.redirectUris.includes(uri)),
    )
  }
  function allApps() {
    const rows = context.db.prepare('SELECT client_id FROM apps').all() as { client_id: string }[]
    return rows.map((row) => context.directory.findApp(row.client_id))
  }
  for (const path of ['/:tenant/oauth2/v2.0/logout', '/:tenant/oauth2/logout']) {
    app.get(path, handler)
    app.post(path, handler)
  }
}
