/**
 * `createSealer`: AES-256-GCM sealing of token caches with a key derived (HKDF-SHA256) from a secret — the web app's
 * SESSION_SECRET, or the CLI's random key file — so refresh tokens are never plaintext at rest; `SEALED_VERSION`.
 */
import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  hkdfSync,
  randomBytes,
} from 'node:crypto'
import { AppError } from '../errors.ts'

/** The prefix of every sealed value: the format's version. */
export const SEALED_VERSION = 'v1.'

export interface Sealer {
  seal(plaintext: string): string
  /** The plaintext of a stored entry (undefined stays undefined); ERR_STORE_UNAVAILABLE when it cannot be opened. */
  open(sealed: string | undefined): string | undefined
}

/**
 * A sealer keyed by `secret`: a random 96-bit IV per seal, the GCM tag checked on open. `secretName` names the secret
 * in the error when a value cannot be opened (the key changed, or the value was altered).
 */
export function createSealer(secret: string, secretName = 'SESSION_SECRET'): Sealer {
  // A KeyObject made once: createCipheriv with a raw Buffer key prepares a key object on every call.
  const key = createSecretKey(
    Buffer.from(hkdfSync('sha256', secret, 'graph-connect', 'token-cache-v1', 32)),
  )
  const decrypt = (sealed: string) => {
    if (!sealed.startsWith(SEALED_VERSION)) throw new Error('not a sealed value')
    const bytes = Buffer.from(sealed.slice(SEALED_VERSION.length), 'base64url')
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12))
    decipher.setAuthTag(bytes.subarray(12, 28))
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8')
  }
  return {
    seal(plaintext) {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
      return (
        SEALED_VERSION + Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url')
      )
    },
    open(sealed) {
      if (sealed === undefined) return undefined
      try {
        return decrypt(sealed)
      } catch (error) {
        throw new AppError('ERR_STORE_UNAVAILABLE', {
          message: `A token cache entry cannot be decrypted (${secretName} changed?)`,
          cause: error,
        })
      }
    },
  }
}
