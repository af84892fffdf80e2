/** createAuthenticator: Graph's bearer check, with the verifications it already made kept by token string. */
import type { FastifyRequest } from 'fastify'
import { AccessTokenError, type AccessTokenClaims, type JwtSigner } from '../identity/jwt-signer.ts'
import { GraphError } from './graph-error.ts'

export interface GraphAuth {
  claims: AccessTokenClaims
  delegated: boolean
  /** Lower-cased permissions: `scp` words for delegated tokens, `roles` for app-only ones. */
  permissions: Set<string>
}

const CACHE_LIMIT = 10_000
const WWW_AUTHENTICATE =
  'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", ' +
  'client_id="00000003-0000-0000-c000-000000000000"'
// Messages Graph answers with [protocol-spec.md, appendix "Graph 401"].
const MESSAGES: Record<AccessTokenError['reason'], string> = {
  empty: 'Access token is empty.',
  malformed: 'CompactToken parsing failed with error code: 80049217',
  signature: 'Access token validation failure.',
  expired: 'Access token has expired or is not yet valid.',
  audience: 'Access token validation failure. Invalid audience.',
}
const NO_DOTS =
  'IDX14100: JWT is not well formed, there are no dots (.).\nThe token needs to be in JWS or JWE Compact Serialization Format. ' +
  "(JWS): 'EncodedHeader.EndcodedPayload.EncodedSignature'. (JWE): 'EncodedProtectedHeader.EncodedEncryptedKey." +
  "EncodedInitializationVector.EncodedCiphertext.EncodedAuthenticationTag'."

export function unauthenticated(message: string): GraphError {
  return new GraphError(401, 'InvalidAuthenticationToken', message, {
    'www-authenticate': WWW_AUTHENTICATE,
  })
}

/**
 * Verifies a bearer token's signature once per distinct Authorization header (the RSA check is most of a Graph call's
 * CPU otherwise); expiry and revocation (`tokens.isRevoked(uti)`, an in-memory lookup) are re-checked on every hit, so a
 * token revoked by a replayed code is refused on its next call. Bounded: expired entries are swept when it fills up,
 * then the oldest go.
 */
export type Authenticator = ReturnType<typeof createAuthenticator>

export function createAuthenticator(signer: JwtSigner) {
  const cache = new Map<string, GraphAuth>()
  const valid = (claims: AccessTokenClaims, now: number) =>
    claims.exp * 1000 > now && (typeof claims.uti !== 'string' || !signer.isRevoked(claims.uti))
  /** The cached verification (synchronously), or a promise of a fresh one; a bad token throws or rejects with a 401. */
  return function authenticate(request: FastifyRequest): GraphAuth | Promise<GraphAuth> {
    const header = request.headers.authorization ?? ''
    const cached = cache.get(header)
    if (cached) {
      if (valid(cached.claims, Date.now())) return cached
      cache.delete(header)
    }
    return verify(header)
  }

  async function verify(header: string): Promise<GraphAuth> {
    const match = /^Bearer\s+(.*)$/i.exec(header.trim())
    const token = match ? match[1]!.trim() : ''
    if (token && !token.includes('.')) throw unauthenticated(NO_DOTS)
    let claims: AccessTokenClaims
    try {
      claims = await signer.verifyAccessToken(token)
    } catch (error) {
      throw unauthenticated(
        error instanceof AccessTokenError ? MESSAGES[error.reason] : MESSAGES.malformed,
      )
    }
    const delegated = claims.idtyp !== 'app' && typeof claims.scp === 'string'
    const words = delegated
      ? (claims.scp ?? '').split(' ')
      : Array.isArray(claims.roles)
        ? claims.roles
        : []
    const auth = {
      claims,
      delegated,
      permissions: new Set(words.map((word) => String(word).toLowerCase())),
    }
    if (cache.size >= CACHE_LIMIT) evict(cache)
    cache.set(header, auth)
    return auth
  }
}

/** Drops expired entries; if that frees less than a tenth, the oldest entries too (a Map iterates in insertion order). */
function evict(cache: Map<string, GraphAuth>): void {
  const now = Date.now()
  for (const [key, auth] of cache) if (auth.claims.exp * 1000 <= now) cache.delete(key)
  for (const key of cache.keys()) {
    if (cache.size < CACHE_LIMIT * 0.9) break
    cache.delete(key)
  }
}
