/** Server-side sessions over core's Store: random 256-bit ids, HMAC'd store keys, idle/absolute timeouts, tombstones. */
import { createHmac, createSecretKey, randomBytes } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Store } from '../core/store/store.ts'

export interface SessionUser {
  name: string
  username: string
  address: string
  /** Token-cache partition of this sign-in (random, never the user id). */
  partition: string
  hasPhoto: boolean
  /** Whatever core's completeSignIn returned, kept for acquireToken. */
  account: unknown
}

export interface Flash {
  kind: 'success' | 'error' | 'warning'
  /** Already translated lines (escaped at render). */
  lines: string[]
  /** Field errors: field name → message. */
  fieldErrors?: Record<string, string>
  /** The form as typed, given back after a failed send. */
  form?: Record<string, string>
}

export interface SessionData {
  createdAt: number
  lastSeenAt: number
  csrf: string
  user?: SessionUser
  flash?: Flash
}

export interface SessionOptions {
  store: Store
  secret: string
  cookieName: string
  secure: boolean
  idleSeconds: number
  absoluteSeconds: number
  now?: () => number
}

export interface Session {
  /** The store key (HMAC of the id): safe to log and to key other records by. */
  readonly key: string | undefined
  readonly data: SessionData
  readonly isNew: boolean
  /** Marks the data as changed so `save()` writes it. */
  changed(): void
  save(): Promise<void>
  /** New id, old record deleted (SE-01). */
  regenerate(): Promise<void>
  /** Deletes the record, leaves a tombstone so a late concurrent save cannot resurrect it (SE-05). */
  destroy(): Promise<void>
}

declare module 'fastify' {
  interface FastifyRequest {
    session(): Promise<Session>
  }
}

const touchEvery = 0.1 // rewrite lastSeenAt after 10 % of the idle timeout has passed (fast path for reads)

/** Fastify plugin (not encapsulated: it decorates the root instance). `await request.session()` loads lazily. */
export async function sessionPlugin(app: FastifyInstance, options: SessionOptions): Promise<void> {
  const now = options.now ?? Date.now
  const secret = createSecretKey(Buffer.from(options.secret)) // imported once, not on every request (same MACs)
  const keyOf = (id: string) => createHmac('sha256', secret).update(id).digest('base64url')
  const cookieOptions = {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: options.secure,
  }

  function fresh(): SessionData {
    const at = now()
    return { createdAt: at, lastSeenAt: at, csrf: randomBytes(32).toString('base64url') }
  }

  function expired(data: SessionData): boolean {
    const at = now()
    return (
      at - data.lastSeenAt > options.idleSeconds * 1000 ||
      at - data.createdAt > options.absoluteSeconds * 1000
    )
  }

  async function load(request: FastifyRequest, reply: FastifyReply): Promise<Session> {
    const cookie = request.cookies[options.cookieName]
    let id: string | undefined
    let key: string | undefined // keyOf(id), computed once per id
    let data: SessionData | undefined
    if (cookie && /^[A-Za-z0-9_-]{43}$/.test(cookie)) {
      const cookieKey = keyOf(cookie)
      const stored = await options.store.get<SessionData>(`sess:${cookieKey}`)
      if (stored && expired(stored)) {
        await options.store.delete(`sess:${cookieKey}`)
        request.log.info({ event: 'session.expired' }, 'session expired')
      } else if (stored) {
        id = cookie
        key = cookieKey
        data = stored
      }
    }
    if (cookie && !id) reply.clearCookie(options.cookieName, cookieOptions)
    let dirty = false
    let isNew = !id
    if (data && now() - data.lastSeenAt > options.idleSeconds * 1000 * touchEvery) {
      data.lastSeenAt = now()
      dirty = true
    }
    const session: Session = {
      get key() {
        return key
      },
      get data() {
        data ??= fresh()
        return data
      },
      get isNew() {
        return isNew
      },
      changed() {
        data ??= fresh()
        dirty = true
      },
      async save() {
        if (!dirty || !data) return
        let minted = false
        if (!id || !key) {
          id = randomBytes(32).toString('base64url')
          key = keyOf(id)
          isNew = true
          minted = true
        }
        await options.store.set(`sess:${key}`, data, options.idleSeconds)
        // Written after the record: if a destroy() raced us, its tombstone is already there and we undo our write.
        // An id minted by this very save was never handed out, so nothing can have destroyed it yet.
        if (!minted && (await options.store.get(`tomb:${key}`))) {
          await options.store.delete(`sess:${key}`)
          reply.clearCookie(options.cookieName, cookieOptions)
          return
        }
        dirty = false
        reply.setCookie(options.cookieName, id, cookieOptions)
      },
      async regenerate() {
        if (key) await options.store.delete(`sess:${key}`)
        id = undefined
        key = undefined
        const previous = data ?? fresh()
        const at = now()
        data = {
          ...previous,
          createdAt: at,
          lastSeenAt: at,
          csrf: randomBytes(32).toString('base64url'),
        }
        dirty = true
      },
      async destroy() {
        if (key) {
          await options.store.set(`tomb:${key}`, 1, options.absoluteSeconds)
          await options.store.delete(`sess:${key}`)
        }
        id = undefined
        key = undefined
        data = undefined
        dirty = false
        reply.clearCookie(options.cookieName, cookieOptions)
      },
    }
    // Any request is activity: the new lastSeenAt (and the store's TTL) is written now, not only when a route
    // happens to save, or a user who only reads would be signed out after the idle timeout (SE-04).
    if (dirty && id) await session.save()
    return session
  }

  app.decorateRequest('session', function session(this: FastifyRequest): Promise<Session> {
    throw new Error('session() is bound per request')
  })
  app.addHook('onRequest', (request, reply, done) => {
    let loaded: Promise<Session> | undefined
    request.session = () => (loaded ??= load(request, reply))
    done()
  })
}
Object.assign(sessionPlugin, { [Symbol.for('skip-override')]: true })
