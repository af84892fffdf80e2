/** createJwtSigner: signs id and access tokens (RS256, compact JWS) and verifies the emulator's own access tokens. */
import { sign, verify } from 'node:crypto'
import type { Revocations } from './revocations.ts'
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
  [claim: string]: unknown
}

export type AccessTokenErrorReason = 'empty' | 'malformed' | 'signature' | 'expired' | 'audience'

/** Why an access token was refused; Graph words its 401 after the reason. */
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
  /** One audience, or several (then `azp` says which client the token was issued to). */
  aud?: string | string[]
  azp?: string
  iss?: string
  tid?: string
  /** Issued-at, in seconds since the epoch. */
  iat?: number
}

/** The public key, with the issuer Entra adds to each key of a tenant's JWKS. */
export type IssuerJwk = PublicJwk & { issuer?: string }

export interface JwtSigner extends Revocations {
  jwks(issuer?: string): { keys: IssuerJwk[] }
  /** Signing runs on libuv's thread pool (node:crypto's callback form), off the event loop. */
  signIdToken(claims: Record<string, unknown>): Promise<string>
  signAccessToken(claims: AccessTokenClaims): Promise<string>
  /** Signature, expiry, Graph audience, revocation; throws an AccessTokenError. */
  verifyAccessToken(token: string): Promise<AccessTokenClaims>
  /** Applied to the next id token signed, once. */
  shapeNextIdToken(shape: IdTokenShape): void
}

export function createJwtSigner(keys: SigningKeys, revocations: Revocations): JwtSigner {
  let nextShape: IdTokenShape | undefined
  const idHeader = { typ: 'JWT', alg: 'RS256', kid: keys.kid }
  const accessHeader = { typ: 'JWT', alg: 'RS256', x5t: keys.kid, kid: keys.kid }
  const signJwt = (header: Record<string, unknown>, payload: Record<string, unknown>) => {
    const input = `${base64Json(header)}.${base64Json(payload)}`
    return new Promise<string>((resolve, reject) => {
      sign('sha256', Buffer.from(input), keys.privateKey, (error, signature) =>
        error ? reject(error) : resolve(`${input}.${signature.toString('base64url')}`),
      )
    })
  }
  return {
    ...revocations,
    jwks: (issuer) => ({ keys: [{ ...keys.jwk, ...(issuer ? { issuer } : {}) }] }),
    signIdToken(claims) {
      const shape = nextShape
      nextShape = undefined
      return signJwt(idHeader, shaped(claims, shape))
    },
    signAccessToken: (claims) => signJwt(accessHeader, claims),
    async verifyAccessToken(token) {
      const claims = verifiedClaims(keys, token)
      if (typeof claims.uti === 'string' && revocations.isRevoked(claims.uti))
        throw new AccessTokenError('expired', 'The access token has been revoked.')
      return claims
    },
    shapeNextIdToken(shape) {
      nextShape = shape
    },
  }
}

/** The claims with the shape's aud, azp, iss, tid, iat and nonce (null: no nonce). */
function shaped(claims: Record<string, unknown>, shape: IdTokenShape | undefined) {
  const payload = { ...claims }
  if (!shape) return payload
  for (const name of ['aud', 'azp', 'iss', 'tid', 'iat'] as const)
    if (shape[name] !== undefined) payload[name] = shape[name]
  if (shape.nonce === null) delete payload.nonce
  else if (shape.nonce !== undefined) payload.nonce = shape.nonce
  return payload
}

/** A compact JWS signed with our key, unexpired, for Graph; its claims. */
function verifiedClaims(keys: SigningKeys, token: string): AccessTokenClaims {
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
  if (!signed) throw new AccessTokenError('signature', 'Access token signature validation failed.')
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now())
    throw new AccessTokenError('expired', 'Lifetime validation failed, the token is expired.')
  const audiences = [GRAPH_APP_ID, GRAPH_RESOURCE, `${GRAPH_RESOURCE}/`]
  if (!audiences.includes(claims.aud as string))
    throw new AccessTokenError('audience', 'Invalid audience.')
  return claims as AccessTokenClaims
}

const base64Json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

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
