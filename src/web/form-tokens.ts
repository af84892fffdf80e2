/** `createFormTokens`: one-time tokens for the send form, bound to the session without a session write. */
import { createHmac, createSecretKey, randomBytes } from 'node:crypto'
import { safeEqual } from '../core/index.ts'

export interface FormTokens {
  /** A new token for a view of the form: `nonce.mac`. */
  issue(sessionKey: string): string
  /** The nonce when the token belongs to this session, else undefined. */
  verify(sessionKey: string, token: unknown): string | undefined
}

/**
 * `nonce.mac` where mac = HMAC(secret, sessionKey + nonce): a GET writes nothing. The POST claims
 * `submit:<sessionKey>:<nonce>` with setIfAbsent, so a double submit sends once (RE-03).
 */
export function createFormTokens(secret: string): FormTokens {
  const key = createSecretKey(Buffer.from(secret)) // imported once, not on every token
  const mac = (sessionKey: string, nonce: string) =>
    createHmac('sha256', key).update(`form:${sessionKey}:${nonce}`).digest('base64url')
  return {
    issue(sessionKey) {
      const nonce = randomBytes(18).toString('base64url')
      return `${nonce}.${mac(sessionKey, nonce)}`
    },
    verify(sessionKey, token) {
      if (typeof token !== 'string') return undefined
      const [nonce, given, extra] = token.split('.')
      if (!nonce || !given || extra !== undefined || !/^[\w-]{24}$/.test(nonce)) return undefined
      return safeEqual(mac(sessionKey, nonce), given) ? nonce : undefined
    },
  }
}
