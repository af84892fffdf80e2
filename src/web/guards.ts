/** Request guards: CSRF (session token + Origin/Sec-Fetch-Site), one-time form tokens, fixed-window rate limits. */
import { createHmac, createSecretKey, randomBytes, timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import type { Store } from '../core/store/store.ts'

export class HttpProblem extends Error {
  readonly statusCode: number
  readonly retryAfterSeconds: number | undefined

  constructor(statusCode: number, message: string, retryAfterSeconds?: number) {
    super(message)
    this.name = 'HttpProblem'
    this.statusCode = statusCode
    this.retryAfterSeconds = retryAfterSeconds
  }
}

export class CsrfError extends HttpProblem {
  constructor(reason: string) {
    super(403, `CSRF check failed: ${reason}`)
    this.name = 'CsrfError'
  }
}

/** A cross-site browser request is refused whatever token it carries (SE-06). Non-browser clients send neither header. */
export function assertSameOrigin(request: FastifyRequest, publicOrigin: string): void {
  const origin = request.headers.origin
  if (origin !== undefined && origin !== publicOrigin) throw new CsrfError('foreign Origin')
  const site = request.headers['sec-fetch-site']
  if (site !== undefined && site !== 'same-origin' && site !== 'none')
    throw new CsrfError(`Sec-Fetch-Site ${site}`)
}

export function assertCsrfToken(expected: string | undefined, given: unknown): void {
  if (!expected || typeof given !== 'string' || !safeEqual(expected, given))
    throw new CsrfError('token mismatch')
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

/**
 * One-time form tokens without a session write on GET: `nonce.mac` where mac = HMAC(secret, sessionKey + nonce).
 * The POST claims `submit:<sessionKey>:<nonce>` with setIfAbsent, so a double submit sends once (RE-03).
 */
export function createFormTokens(secret: string) {
  const key = createSecretKey(Buffer.from(secret)) // imported once, not on every token
  const mac = (sessionKey: string, nonce: string) =>
    createHmac('sha256', key).update(`form:${sessionKey}:${nonce}`).digest('base64url')
  return {
    issue(sessionKey: string): string {
      const nonce = randomNonce()
      return `${nonce}.${mac(sessionKey, nonce)}`
    },
    /** The nonce when the token belongs to this session, else undefined. */
    verify(sessionKey: string, token: unknown): string | undefined {
      if (typeof token !== 'string') return undefined
      const [nonce, given, extra] = token.split('.')
      if (!nonce || !given || extra !== undefined || !/^[\w-]{24}$/.test(nonce)) return undefined
      return safeEqual(mac(sessionKey, nonce), given) ? nonce : undefined
    },
  }
}

// 18 random bytes per form token, drawn from a pool refilled 512 tokens at a time (one CSPRNG call, not one per page).
const nonceBytes = 18
let noncePool = Buffer.alloc(0)
let nonceOffset = 0

function randomNonce(): string {
  if (nonceOffset + nonceBytes > noncePool.length) {
    noncePool = randomBytes(nonceBytes * 512)
    nonceOffset = 0
  }
  const nonce = noncePool.toString('base64url', nonceOffset, nonceOffset + nonceBytes)
  noncePool.fill(0, nonceOffset, nonceOffset + nonceBytes) // a used nonce does not stay in memory
  nonceOffset += nonceBytes
  return nonce
}

/** Fixed one-minute windows in the shared store: the same limit holds across instances (SE-14). */
export async function rateLimit(
  store: Store,
  key: string,
  limitPerMinute: number,
  now = Date.now(),
): Promise<void> {
  const window = Math.floor(now / 60_000)
  const count = await store.increment(`rl:${key}:${window}`, 61)
  if (count > limitPerMinute) {
    const retryAfter = Math.max(1, Math.ceil(((window + 1) * 60_000 - now) / 1000))
    throw new HttpProblem(429, `rate limit ${key}`, retryAfter)
  }
}
