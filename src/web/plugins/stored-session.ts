/** `StoredSession`: one request's session over its stored record — save, regenerate, destroy (with tombstones). */
import { createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto'
import type { FastifyReply } from 'fastify'
import type { Store } from '../../core/index.ts'
import type { SessionData, SessionUser } from './session-data.ts'

export interface SessionOptions {
  store: Store
  /** Keys the HMAC of session ids into store keys. */
  secret: string
  cookieName: string
  secure: boolean
  idleSeconds: number
  absoluteSeconds: number
  /** The clock, in Unix milliseconds (tests move it). */
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

/** A record found for the request's cookie. */
export interface FoundSession {
  id: string
  key: string
  data: SessionData
}

/** What every session of the app shares, made once. */
export interface SessionKeeping {
  options: SessionOptions
  now: () => number
  /** The store key of an id: an HMAC, so the store never holds a usable cookie. */
  keyOf(id: string): string
  /** A new record: now, and a new CSRF token. */
  fresh(): SessionData
  cookieOptions: {
    path: string
    httpOnly: boolean
    sameSite: 'lax'
    secure: boolean
  }
}

export function createSessionKeeping(options: SessionOptions): SessionKeeping {
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

/** One request's session: the stored record (or none yet), written back by `save()` when changed. */
export class StoredSession implements Session {
  readonly #keeping: SessionKeeping
  readonly #reply: FastifyReply
  #id: string | undefined
  #key: string | undefined
  #data: SessionData | undefined
  #dirty = false
  #isNew: boolean

  constructor(keeping: SessionKeeping, reply: FastifyReply, found: FoundSession | undefined) {
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
      // A record is made for a signed-in user only: an anonymous request writes no session (SE-20).
      if (!this.#data.user) return
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
