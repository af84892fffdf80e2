/** `signOutRoutes`: POST /disconnect (GET is a 405); `forgetUser`, what a sign-in owns forgotten. */
import type { FastifyInstance, RouteHandlerMethod } from 'fastify'
import type { Config, Store } from '../../core/index.ts'
import { flowKey } from '../flow-record.ts'
import { assertCsrfToken, sameOrigin } from '../plugins/csrf.ts'
import { methodNotAllowed } from '../plugins/pages.ts'
import type { SessionUser } from '../plugins/session.ts'
import type { AuthPort } from '../ports.ts'
import { photoKey } from '../profile-photo.ts'
import { securityEvent } from '../security-event.ts'

/** Set by POST /disconnect, read and cleared by the Connect page (home.ts). */
export const SIGNED_OUT_COOKIE = 'signed-out'

export interface SignOutRoutesOptions {
  config: Readonly<Config>
  store: Store
  auth: Pick<AuthPort, 'forget' | 'logoutUrl'>
}

export async function signOutRoutes(
  app: FastifyInstance,
  options: SignOutRoutesOptions,
): Promise<void> {
  app.post('/disconnect', { preHandler: sameOrigin(options.config.publicUrl) }, disconnect(options))
  app.get('/disconnect', methodNotAllowed)
}

/** POST /disconnect: the session destroyed, its token cache forgotten, then the identity provider's sign-out. */
function disconnect(options: SignOutRoutesOptions): RouteHandlerMethod {
  return async function disconnect(request, reply) {
    const session = await request.session()
    const user = session.user
    if (!user) {
      await session.destroy()
      return reply.redirect('/', 303)
    }
    const body = request.body as Record<string, unknown> | undefined
    assertCsrfToken(session.data.csrf, body?._csrf)
    await session.destroy()
    await forgetUser(options, user)
    securityEvent(request, 'signout', 'user signed out', { user: user.account.username })
    // The identity provider sends the browser back to PUBLIC_URL/, which can carry no word of ours: a short cookie
    // (no store write) lets the Connect page say "you are signed out" once.
    reply.setCookie(SIGNED_OUT_COOKIE, '1', {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: options.config.secureCookies,
      maxAge: 600,
    })
    return reply.header('cache-control', 'no-store').redirect(options.auth.logoutUrl(), 303)
  }
}

/** A sign-in's token cache, photo and flow record, deleted (sign-out, or another sign-in in the same browser). */
export async function forgetUser(
  parts: { store: Store; auth: Pick<AuthPort, 'forget'> },
  user: SessionUser,
): Promise<void> {
  await parts.auth.forget(user.partition)
  await parts.store.delete(photoKey(user.partition))
  await parts.store.delete(flowKey(user.partition))
}
