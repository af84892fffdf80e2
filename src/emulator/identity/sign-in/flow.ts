// An in-flight sign-in, kept server-side: the browser only carries its opaque id (hidden field `ctx`).
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../../context.ts'
import type { ResponseMode } from '../checks/authorize-request.ts'
import type { Lang } from '../i18n/index.ts'
import { randomId, type IdentityStore } from '../identity-store.ts'

export type Step = 'email' | 'password' | 'kmsi' | 'consent' | 'pick' | 'device-confirm'

export interface Flow {
  id: string
  tenantSegment: string
  tenantId: string
  version: 1 | 2
  clientId: string
  redirectUri: string
  responseMode: ResponseMode
  state?: string
  nonce?: string
  scope: string
  resource?: string
  codeChallenge?: string
  codeChallengeMethod?: 'S256' | 'plain'
  prompt?: 'login' | 'none' | 'consent' | 'select_account'
  loginHint?: string
  clientInfo: boolean
  clientRequestId?: string
  lang: Lang
  step: Step
  userId?: string
  authenticated: boolean
  deviceCode?: string // set when the sign-in completes a device code
}

export interface Session {
  id: string
  users: string[]
  persistent: boolean
  createdAt: number
}

const FLOW_SECONDS = 60 * 60
export const SESSION_COOKIE = 'ESTSAUTH'

export function createFlow(store: IdentityStore, flow: Omit<Flow, 'id'>): Flow {
  const created = { ...flow, id: randomId(24) }
  store.put('flow', created.id, created, FLOW_SECONDS)
  return created
}

export const saveFlow = (store: IdentityStore, flow: Flow) =>
  store.put('flow', flow.id, flow, FLOW_SECONDS)
export const loadFlow = (store: IdentityStore, id: unknown) =>
  typeof id === 'string' && id ? store.get<Flow>('flow', id) : undefined

export function readSession(store: IdentityStore, request: FastifyRequest): Session | undefined {
  const id = request.cookies[SESSION_COOKIE]
  return id ? store.get<Session>('session', id) : undefined
}

/** Adds the user to the browser's SSO session (most recent first) and sets the cookie. */
export function signInSession(
  context: EmulatorContext,
  store: IdentityStore,
  request: FastifyRequest,
  reply: FastifyReply,
  userId: string,
  persistent: boolean,
): Session {
  const current = readSession(store, request)
  const session: Session = current
    ? {
        ...current,
        users: [userId, ...current.users.filter((id) => id !== userId)],
        persistent: current.persistent || persistent,
      }
    : { id: randomId(), users: [userId], persistent, createdAt: Date.now() }
  const days = 90
  store.put('session', session.id, session, days * 24 * 3600)
  void reply.setCookie(SESSION_COOKIE, session.id, {
    ...cookieOptions(context),
    ...(session.persistent ? { maxAge: days * 24 * 3600 } : {}),
  })
  return session
}

export function cookieOptions(context: EmulatorContext) {
  const secure = context.publicUrl().startsWith('https:')
  return {
    path: '/',
    httpOnly: true,
    secure,
    sameSite: secure ? ('none' as const) : ('lax' as const),
  }
}
