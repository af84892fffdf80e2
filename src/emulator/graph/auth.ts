// Bearer-token checks for Graph: verification (cached by token string), 401 texts and scope requirements.
import type { FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import { AccessTokenError, type AccessTokenClaims } from '../identity/tokens.ts'
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
  "IDX14100: JWT is not well formed, there are no dots (.).\nThe token needs to be in JWS or JWE Compact Serialization Format. " +
  "(JWS): 'EncodedHeader.EndcodedPayload.EncodedSignature'. (JWE): 'EncodedProtectedHeader.EncodedEncryptedKey." +
  "EncodedInitializationVector.EncodedCiphertext.EncodedAuthenticationTag'."

export function unauthenticated(message: string): GraphError {
  return new GraphError(401, 'InvalidAuthenticationToken', message, { 'www-authenticate': WWW_AUTHENTICATE })
}

/**
 * Verifies the bearer token once per distinct token string; expiry (and revocation, when the token service can tell
 * cheaply through `isRevoked(uti)`) is re-checked on every hit. Without that check, revocable tokens are not cached.
 */
export function createAuthenticator(ctx: EmulatorContext) {
  const cache = new Map<string, GraphAuth>()
  const isRevoked = (ctx.tokens as { isRevoked?: (uti: string) => boolean }).isRevoked?.bind(ctx.tokens)
  const revoked = (claims: AccessTokenClaims) => typeof claims.uti === 'string' && isRevoked !== undefined && isRevoked(claims.uti)
  const cacheable = (claims: AccessTokenClaims) => typeof claims.uti !== 'string' || isRevoked !== undefined
  return async function authenticate(request: FastifyRequest): Promise<GraphAuth> {
    const header = request.headers.authorization ?? ''
    const match = /^Bearer\s+(.*)$/i.exec(header.trim())
    const token = match ? match[1]!.trim() : ''
    const cached = cache.get(token)
    if (cached) {
      if (cached.claims.exp * 1000 > Date.now() && !revoked(cached.claims)) return cached
      cache.delete(token)
    }
    if (token && !token.includes('.')) throw unauthenticated(NO_DOTS)
    let claims: AccessTokenClaims
    try {
      claims = await ctx.tokens.verifyAccessToken(token)
    } catch (error) {
      throw unauthenticated(error instanceof AccessTokenError ? MESSAGES[error.reason] : MESSAGES.malformed)
    }
    const delegated = claims.idtyp !== 'app' && typeof claims.scp === 'string'
    const words = delegated ? (claims.scp ?? '').split(' ') : Array.isArray(claims.roles) ? claims.roles : []
    const auth = { claims, delegated, permissions: new Set(words.map((word) => String(word).toLowerCase())) }
    if (cache.size >= CACHE_LIMIT) cache.clear()
    if (cacheable(claims)) cache.set(token, auth)
    return auth
  }
}

// Which permissions satisfy a need; broader permissions imply narrower ones, as in Graph's permission reference.
const IMPLIED: Record<string, string[]> = {
  'user.read': ['user.read', 'user.readwrite', 'user.readbasic.all', 'user.read.all', 'user.readwrite.all', 'directory.read.all', 'directory.readwrite.all'],
  'user.read.all': ['user.readbasic.all', 'user.read.all', 'user.readwrite.all', 'directory.read.all', 'directory.readwrite.all'],
  'mail.read': ['mail.read', 'mail.readwrite', 'mail.readbasic', 'mail.readbasic.all'],
  'mail.readwrite': ['mail.readwrite'],
  'mail.send': ['mail.send'],
}

export function hasPermission(auth: GraphAuth, need: keyof typeof IMPLIED): boolean {
  return IMPLIED[need]!.some((permission) => auth.permissions.has(permission))
}

/** Outlook's answer when a mail permission is missing. */
export function accessDenied(): GraphError {
  return new GraphError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.')
}

/** App-only tokens without any role get this instead of a per-permission answer. */
export function requireSomePermission(auth: GraphAuth): void {
  if (auth.permissions.size === 0 || (auth.permissions.size === 1 && auth.permissions.has(''))) {
    throw new GraphError(403, 'NoPermissionsInAccessToken', 'The token contains no permissions, or permissions can not be understood.')
  }
}

export function requireMail(auth: GraphAuth, need: 'mail.read' | 'mail.readwrite' | 'mail.send'): void {
  requireSomePermission(auth)
  if (!hasPermission(auth, need)) throw accessDenied()
}
