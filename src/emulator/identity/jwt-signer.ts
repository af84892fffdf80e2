// Signs id and access tokens (RS256, compact JWS) and verifies the emulator's own access tokens for Graph.
import { sign, verify } from 'node:crypto'
import type { PublicJwk, SigningKeys } from './signing-keys.ts'

export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000'
export const GRAPH_RESOURCE = 'https://graph.microsoft.com'

export interface AccessTokenClaims {
  aud: string
  iss: string
  tid: string
  appid: string
  idtyp: 'user' | 'app'
  oid: string
  upn?: string
  scp?: string
  roles?: string[]
  exp: number
  iat: number
  ver: string
  [k: string]: unknown
}
export type AccessTokenErrorReason = 'empty' | 'malformed' | 'signature' | 'expired' | 'audience'
export class AccessTokenError extends Error {
  readonly reason: AccessTokenErrorReason
  constructor(reason: AccessTokenErrorReason, message: string) {
    super(message)
    this.name = 'AccessTokenError'
    this.reason = reason
  }
}
/** How to spoil the next id_token (security tests): `nonce: null` removes it. */
export interface IdTokenShape {
  nonce?: string | null
  aud?: string
  iss?: string
  tid?: string
}

export interface JwtSigner {
  jwks(issuer?: string): { keys: (PublicJwk & { issuer?: string })[] }
  signIdToken(claims: Record<string, unknown>): string
  signAccessToken(claims: AccessTokenClaims): string
  /** Same as the sync signers, but RSA runs on libuv's thread pool (used by the token endpoint for throughput). */
  signIdTokenAsync(claims: Record<string, unknown>): Promise<string>
  signAccessTokenAsync(claims: AccessTokenClaims): Promise<string>
  verifyAccessToken(token: string): Promise<AccessTokenClaims>
  shapeNextIdToken(shape: IdTokenShape): void
  /** Revokes the access token with this `uti` for `keepSeconds` (longer than its lifetime); persisted when configured. */
  revoke(uti: string, keepSeconds: number): void
  /** O(1), in memory: lets Graph cache verified tokens by string and still refuse a revoked one on the next call. */
  isRevoked(uti: string): boolean
  /** Forgets every revocation (the control reset, which clears the persisted records too). */
  forgetRevocations(): void
}

/** Where revocations persist, so that they survive a restart as the tokens they revoke do. */
export interface RevocationStore {
  put(uti: string, keepSeconds: number): void
  /** The unexpired revocations: [uti, until (epoch ms)]. Read once, at start. */
  load(): Iterable<[string, number]>
}
export interface JwtSignerOptions {
  revocations?: RevocationStore
}

/** Expired revocations are swept when this many more have been added since the last sweep. */
const REVOCATION_SWEEP = 1024

export function createJwtSigner(keys: SigningKeys, options: JwtSignerOptions = {}): JwtSigner {
  let nextShape: IdTokenShape | undefined
  // uti → until (epoch ms); entries are dropped once past (the token expired long before).
  const revoked = new Map<string, number>(options.revocations?.load() ?? [])
  let sweepAt = revoked.size + REVOCATION_SWEEP
  const isRevoked = (uti: string) => {
    const until = revoked.get(uti)
    if (until === undefined) return false
    if (until > Date.now()) return true
    revoked.delete(uti)
    return false
  }
  const signJwt = (header: Record<string, unknown>, payload: Record<string, unknown>) => {
    const input = `${b64(header)}.${b64(payload)}`
    return `${input}.${sign('sha256', Buffer.from(input), keys.privateKey).toString('base64url')}`
  }
  const signJwtAsync = (header: Record<string, unknown>, payload: Record<string, unknown>) => {
    const input = `${b64(header)}.${b64(payload)}`
    return new Promise<string>((resolve, reject) => {
      sign('sha256', Buffer.from(input), keys.privateKey, (error, signature) =>
        error ? reject(error) : resolve(`${input}.${signature.toString('base64url')}`),
      )
    })
  }
  const idHeader = { typ: 'JWT', alg: 'RS256', kid: keys.kid }
  const accessHeader = { typ: 'JWT', alg: 'RS256', x5t: keys.kid, kid: keys.kid }
  const shapeId = (claims: Record<string, unknown>) => {
    const shape = nextShape
    nextShape = undefined
    const payload = { ...claims }
    if (shape) {
      for (const name of ['aud', 'iss', 'tid'] as const)
        if (shape[name] !== undefined) payload[name] = shape[name]
      if (shape.nonce === null) delete payload.nonce
      else if (shape.nonce !== undefined) payload.nonce = shape.nonce
    }
    return payload
  }
  return {
    jwks: (issuer) => ({ keys: [{ ...keys.jwk, ...(issuer ? { issuer } : {}) }] }),
    signIdToken: (claims) => signJwt(idHeader, shapeId(claims)),
    signAccessToken: (claims) => signJwt(accessHeader, claims),
    signIdTokenAsync: (claims) => signJwtAsync(idHeader, shapeId(claims)),
    signAccessTokenAsync: (claims) => signJwtAsync(accessHeader, claims),
    async verifyAccessToken(token) {
      if (!token) throw new AccessTokenError('empty', 'Access token is empty.')
      const parts = token.split('.')
      const header = parts.length === 3 ? parseJson(parts[0]!) : undefined
      const claims = parts.length === 3 ? parseJson(parts[1]!) : undefined
      if (!header || !claims)
        throw new AccessTokenError('malformed', 'IDX14100: JWT is not well formed.')
      const signed =
        header.alg === 'RS256' &&
        header.kid === keys.kid &&
        verify(
          'sha256',
          Buffer.from(`${parts[0]}.${parts[1]}`),
          keys.publicKey,
          Buffer.from(parts[2]!, 'base64url'),
        )
      if (!signed)
        throw new AccessTokenError('signature', 'Access token signature validation failed.')
      if (typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) {
        throw new AccessTokenError('expired', 'Lifetime validation failed, the token is expired.')
      }
      if (
        claims.aud !== GRAPH_APP_ID &&
        claims.aud !== GRAPH_RESOURCE &&
        claims.aud !== `${GRAPH_RESOURCE}/`
      ) {
        throw new AccessTokenError('audience', 'Invalid audience.')
      }
      if (typeof claims.uti === 'string' && isRevoked(claims.uti)) {
        throw new AccessTokenError('expired', 'The access token has been revoked.')
      }
      return claims as AccessTokenClaims
    },
    shapeNextIdToken(shape) {
      nextShape = shape
    },
    revoke(uti, keepSeconds) {
      const until = Date.now() + keepSeconds * 1000
      options.revocations?.put(uti, keepSeconds)
      revoked.set(uti, Math.max(until, revoked.get(uti) ?? 0))
      if (revoked.size < sweepAt) return
      const now = Date.now()
      for (const [id, at] of revoked) if (at <= now) revoked.delete(id)
      sweepAt = revoked.size + REVOCATION_SWEEP
    },
    isRevoked,
    forgetRevocations() {
      revoked.clear()
      sweepAt = REVOCATION_SWEEP
    },
  }
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

function parseJson(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}
