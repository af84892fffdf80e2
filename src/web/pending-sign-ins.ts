/** `createPendingSignIns`: sign-ins kept from /connect to the callback, each bound to its browser by a cookie. */
import { createHash, randomBytes } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { safeEqual, type SignInRecord, type Store } from '../core/index.ts'
import type { FlowRecord } from './flow-record.ts'
import { securityEvent } from './security-event.ts'

/** Kept one-time under `signin:<state>` from /connect to the callback. */
export interface PendingSignIn {
  record: SignInRecord
  /** SHA-256 of the browser's sign-in cookie (OA-01: state bound to the browser that started the sign-in). */
  browser: string
  /** The authorize request as the flow inspector shows it (only with FLOW_INSPECTOR). */
  authorize?: FlowRecord['authorize']
}

export interface PendingSignIns {
  /** Keeps the sign-in under its state, bound to this browser: its sign-in cookie is set (or renewed) on `reply`. */
  keep(
    request: FastifyRequest,
    reply: FastifyReply,
    record: SignInRecord,
    authorize: FlowRecord['authorize'],
  ): Promise<void>
  /** The pending sign-in of `state`, if this browser started it: read, compared, then taken. */
  take(request: FastifyRequest, state: string | undefined): Promise<PendingSignIn | undefined>
}

const pendingTtlSeconds = 600 // 10 minutes to finish signing in
const browserId = /^[A-Za-z0-9_-]{43}$/
const hashOf = (value: string) => createHash('sha256').update(value).digest('base64url')

/**
 * A random HttpOnly cookie binds a sign-in to the browser that started it; the pending record keeps its hash, so
 * /connect writes no pre-login session. A browser keeps its cookie across sign-ins started within its lifetime (two
 * tabs can sign in at once).
 */
export function createPendingSignIns(store: Store, secureCookies: boolean): PendingSignIns {
  const cookieName = secureCookies ? '__Host-signin' : 'signin'
  const cookieOptions = {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: secureCookies,
    maxAge: pendingTtlSeconds,
  }
  /** The browser's sign-in cookie when it has the shape this app gives it. */
  const browserOf = (request: FastifyRequest) => {
    const cookie = request.cookies[cookieName]
    return cookie && browserId.test(cookie) ? cookie : undefined
  }
  return {
    async keep(request, reply, record, authorize) {
      const browser = browserOf(request) ?? randomBytes(32).toString('base64url')
      const pending: PendingSignIn = { record, browser: hashOf(browser), authorize }
      await store.set(`signin:${record.state}`, pending, pendingTtlSeconds)
      reply.setCookie(cookieName, browser, cookieOptions)
    },
    take: (request, state) => takePending(store, request, state, browserOf(request)),
  }
}

async function takePending(
  store: Store,
  request: FastifyRequest,
  state: string | undefined,
  browser: string | undefined,
): Promise<PendingSignIn | undefined> {
  if (state && browser) {
    const browserHash = hashOf(browser)
    // Taken only once bound: a callback from another browser does not use up this browser's sign-in.
    const bound = (pending: PendingSignIn | undefined) =>
      pending !== undefined &&
      typeof pending.browser === 'string' &&
      safeEqual(pending.browser, browserHash)
    let pending = await store.get<PendingSignIn>(`signin:${state}`)
    if (bound(pending)) pending = await store.take<PendingSignIn>(`signin:${state}`)
    if (pending && bound(pending)) return pending
  }
  const reason = !state
    ? 'state missing'
    : !browser
      ? 'no sign-in cookie'
      : 'state unknown, used or foreign'
  securityEvent(request, 'signin.rejected', reason)
  return undefined
}
