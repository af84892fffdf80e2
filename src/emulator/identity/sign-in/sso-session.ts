/** The browser's SSO session (cookie ESTSAUTH): which users are signed in, kept 90 days in the identity store. */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../../context.ts'
import { randomId, type IdentityStore } from '../identity-store.ts'
import type { Session } from '../records.ts'

export const SESSION_COOKIE = 'ESTSAUTH'
const SESSION_SECONDS = 90 * 24 * 3600

export function readSession(store: IdentityStore, request: FastifyRequest): Session | undefined {
  const id = request.cookies[SESSION_COOKIE]
  return id ? store.get<Session>('session', id) : undefined
}

/** Adds the user to the browser's SSO session (most recent first) and sets the cookie. */
export function signInSession(
  context: EmulatorContext,
  request: FastifyRequest,
  reply: FastifyReply,
  userId: string,
  persistent: boolean,
): Session {
  const store = context.identity
  const current = readSession(store, request)
  const session: Session = current
    ? {
        ...current,
        users: [userId, ...current.users.filter((id) => id !== userId)],
        persistent: current.persistent || persistent,
      }
    : { id: randomId(), users: [userId], persistent, createdAt: Date.now() }
  store.put('session', session.id, session, SESSION_SECONDS)
  void reply.setCookie(SESSION_COOKIE, session.id, {
    ...cookieOptions(context),
    ...(session.persistent ? { maxAge: SESSION_SECONDS } : {}),
  })
  return session
}

/** HttpOnly on /, SameSite=Lax over http, None + Secure over https. */
export function cookieOptions(context: EmulatorContext) {
  const secure = context.publicUrl().startsWith('https:')
  return {
    path: '/',
    httpOnly: true,
    secure,
    sameSite: secure ? ('none' as const) : ('lax' as const),
  }
}
