/** `sessionPlugin`: server-side sessions over core's Store; `await request.session()` loads one lazily. */
import { createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { SignedInUser, Store } from '../../core/index.ts'

/** The signed-in user the session keeps: core's user, and what this sign-in owns. */
export interface SessionUser {
  /** Who signed in, as core's completeSignIn returned it. */
  account: SignedInUser
  /** Token-cache partition of this sign-in (random, never the user id). */
  partition: string
  /** A profile photo was kept at sign-in (under `photo:<partition>`). */
  hasPhoto: boolean
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
  /** The signed-in user; only a stored session has one. */
  readonly user: SessionUser | undefined
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
const sessionId = /^[A-Za-z0-9_-]{43}$/

/** What every session of the app shares, made once. */
interface SessionKeeping {
  options: SessionOptions
  now: () => number
  /** The store key of an id: an HMAC, so the store never holds a usable cookie. */
  keyOf(id: string): string
  fresh(): SessionData
  cookieOptions: { path: string; httpOnly: boolean; sameSite: 'lax'; secure: boolean }
}

/**
 * Adds `request.session()` to the root instance: 256-bit random ids, HMAC'd store keys, idle and absolute
 * timeouts, tombstones. A session is read from the store at the first `session()` of a request, never before.
 */
export function sessionPlugin(app: FastifyInstance, options: SessionOptions): void {
  const keeping = sessionKeeping(options)
  app.decorateRequest('session', function session(this: FastifyRequest): Promise<Session> {
    throw new Error('session() is bound per request')
  })
  app.addHook('onRequest', (request, reply, done) => {
    let loaded: Promise<Session> | undefined
    request.session = () => (loaded ??= loadSession(keeping, request, reply))
    done()
  })
}

function sessionKeeping(options: SessionOptions): SessionKeeping {
  const now = options.now ?? Date.now
  const secret: KeyObject = createSecretKey(Buffer.from(options.secret)) // imported once, not per request
  return {
    options,
    now,
    keyOf: (id) => createHmac('sha256', secret).update(id).digest('base64url'),
    fresh() {
      const at = now()
      return { createdAt: at, lastSeenAt: at, csrf: randomBytes(32).toString('base64url') }
    },
    cookieOptions: { path: '/', httpOnly: true, sameSite: 'lax', secure: options.secure },
  }
}

async function loadSession(
  keeping: SessionKeeping,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<Session> {
  const { options, now } = keeping
  const cookie = request.cookies[options.cookieName]
  let found: { id: string; key: string; data: SessionData } | undefined
  if (cookie && sessionId.test(cookie)) {
    const key = keeping.keyOf(cookie)
    const stored = await options.store.get<SessionData>(`sess:${key}`)
    if (stored && isExpired(stored, options, now())) {
      await options.store.delete(`sess:${key}`)
      request.log.info({ event: 'session.expired' }, 'session expired')
    } else if (stored) {
      // A user written by an older version, of another shape, reads as signed out rather than failing later.
      if (stored.user !== undefined && !isSessionUser(stored.user)) stored.user = undefined
      found = { id: cookie, key, data: stored }
    }
  }
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

function isExpired(data: SessionData, options: SessionOptions, at: number): boolean {
  return (
    at - data.lastSeenAt > options.idleSeconds * 1000 ||
    at - data.createdAt > options.absoluteSeconds * 1000
  )
}

/** One request's session: the stored record (or none yet), written back by `save()` when changed. */
class StoredSession implements Session {
  readonly #keeping: SessionKeeping
  readonly #reply: FastifyReply
  #id: string | undefined
  #key: string | undefined
  #data: SessionData | undefined
  #dirty = false
  #isNew: boolean

  constructor(
    keeping: SessionKeeping,
    reply: FastifyReply,
    found: { id: string; key: string; data: SessionData } | undefined,
  ) {
    this.#keeping = keeping
    this.#reply = reply
    this.#id = found?.id
    this.#key = found?.key
    this.#data = found?.data
    this.#isNew = !found
  }

  get key() {
    return this.#key
  }
  get data() {
    this.#data ??= this.#keeping.fresh()
    return this.#data
  }
  get user() {
    return this.#key !== undefined ? this.#data?.user : undefined
  }
  get isNew() {
    return this.#isNew
  }

  changed() {
    this.#data ??= this.#keeping.fresh()
    this.#dirty = true
  }

  async save() {
    if (!this.#dirty || !this.#data) return
    const { options, cookieOptions } = this.#keeping
    let minted = false
    if (!this.#id || !this.#key) {
      this.#id = randomBytes(32).toString('base64url')
      this.#key = this.#keeping.keyOf(this.#id)
      this.#isNew = true
      minted = true
    }
    const key = this.#key
    await options.store.set(`sess:${key}`, this.#data, options.idleSeconds)
    // Written after the record: if a destroy() raced us, its tombstone is already there and we undo our write.
    // An id minted by this very save was never handed out, so nothing can have destroyed it yet.
    if (!minted && (await options.store.get(`tomb:${key}`))) {
      await options.store.delete(`sess:${key}`)
      this.#reply.clearCookie(options.cookieName, cookieOptions)
      return
    }
    this.#dirty = false
    this.#reply.setCookie(options.cookieName, this.#id, cookieOptions)
  }

  async regenerate() {
    if (this.#key) await this.#keeping.options.store.delete(`sess:${this.#key}`)
    this.#id = undefined
    this.#key = undefined
    const at = this.#keeping.now()
    this.#data = {
      ...(this.#data ?? this.#keeping.fresh()),
      createdAt: at,
      lastSeenAt: at,
      csrf: randomBytes(32).toString('base64url'),
    }
    this.#dirty = true
  }

  async destroy() {
    const { options, cookieOptions } = this.#keeping
    if (this.#key) {
      await options.store.set(`tomb:${this.#key}`, 1, options.absoluteSeconds)
      await options.store.delete(`sess:${this.#key}`)
    }
    this.#id = undefined
    this.#key = undefined
    this.#data = undefined
    this.#dirty = false
    this.#reply.clearCookie(options.cookieName, cookieOptions)
  }
}

/** The shape this version writes; anything else (an older version's record) is not a signed-in user. */
function isSessionUser(value: unknown): value is SessionUser {
  if (typeof value !== 'object' || value === null) return false
  const { account, partition, hasPhoto } = value as Partial<SessionUser>
  if (typeof partition !== 'string' || typeof hasPhoto !== 'boolean') return false
  if (typeof account !== 'object' || account === null) return false
  return (
    typeof account.homeAccountId === 'string' &&
    typeof account.oid === 'string' &&
    typeof account.tid === 'string' &&
    typeof account.name === 'string' &&
    typeof account.username === 'string' &&
    (account.email === undefined || typeof account.email === 'string')
  )
}
