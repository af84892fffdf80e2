/** `sessionPlugin`: server-side sessions over core's Store; `await request.session()` loads one lazily. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { isSessionUser, type SessionData } from './session-data.ts'
import {
  createSessionKeeping,
  StoredSession,
  type FoundSession,
  type Session,
  type SessionKeeping,
  type SessionOptions,
} from './stored-session.ts'

export type { Flash, SessionData, SessionUser } from './session-data.ts'
export type { Session, SessionOptions } from './stored-session.ts'

declare module 'fastify' {
  interface FastifyRequest {
    session(): Promise<Session>
  }
}

const touchEvery = 0.1 // rewrite lastSeenAt after 10 % of the idle timeout has passed (fast path for reads)
const sessionId = /^[A-Za-z0-9_-]{43}$/

/**
 * Adds `request.session()` to the root instance: 256-bit random ids, HMAC'd store keys, idle and absolute
 * timeouts, tombstones. A session is read from the store at the first `session()` of a request, never before.
 */
export function sessionPlugin(app: FastifyInstance, options: SessionOptions): void {
  const keeping = createSessionKeeping(options)
  app.decorateRequest('session', function session(this: FastifyRequest): Promise<Session> {
    throw new Error('session() is bound per request')
  })
  app.addHook('onRequest', (request, reply, done) => {
    let loaded: Promise<Session> | undefined
    request.session = () => (loaded ??= loadSession(keeping, request, reply))
    done()
  })
}

async function loadSession(
  keeping: SessionKeeping,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<Session> {
  const { options, now } = keeping
  const cookie = request.cookies[options.cookieName]
  const found =
    cookie && sessionId.test(cookie) ? await findSession(keeping, request, cookie) : undefined
  if (cookie && !found) reply.clearCookie(options.cookieName, keeping.cookieOptions)
  const session = new StoredSession(keeping, reply, found)
  // Any request is activity: the new lastSeenAt (and the store's TTL) is written now, not only when a route
  // happens to save, or a user who only reads would be signed out after the idle timeout (SE-04).
  if (found && now() - found.data.lastSeenAt > options.idleSeconds * 1000 * touchEvery) {
    found.data.lastSeenAt = now()
    session.changed()
    await session.save()
  }
  return session
}

/** The live record of the cookie's id; an expired one is deleted. */
async function findSession(
  keeping: SessionKeeping,
  request: FastifyRequest,
  id: string,
): Promise<FoundSession | undefined> {
  const { options } = keeping
  const key = keeping.keyOf(id)
  const stored = await options.store.get<SessionData>(`sess:${key}`)
  if (!stored) return undefined
  if (isExpired(stored, options, keeping.now())) {
    await options.store.delete(`sess:${key}`)
    request.log.info({ event: 'session.expired' }, 'session expired')
    return undefined
  }
  // A stored user of another shape reads as signed out rather than failing later.
  if (stored.user !== undefined && !isSessionUser(stored.user)) stored.user = undefined
  return { id, key, data: stored }
}

function isExpired(data: SessionData, options: SessionOptions, at: number): boolean {
  return (
    at - data.lastSeenAt > options.idleSeconds * 1000 ||
    at - data.createdAt > options.absoluteSeconds * 1000
  )
}
