/** ID-token validation with jose: signature from the authority's JWKS, iss per tenant, aud/azp, exp/nbf/iat, nonce. */
import type { JWTPayload } from 'jose'
import { AuthError } from '../errors.ts'
import { issuerMatches } from './authority.ts'

const CLOCK_SKEW_SECONDS = 120

export interface IdTokenClaims extends JWTPayload {
  oid?: string
  tid?: string
  name?: string
  preferred_username?: string
  email?: string
  nonce?: string
  /** The authorized party: the client the token was issued to. */
  azp?: string
}

export interface IdTokenValidator {
  validate(idToken: string, expected: { nonce: string }): Promise<IdTokenClaims>
}

/**
 * OpenID Connect Core 3.1.3.7: with several audiences an `azp` must name this client, and an `azp` that is present
 * must be this client whatever the audience.
 */
function partyProblem(claims: IdTokenClaims, clientId: string): string | undefined {
  const { azp } = claims
  if (azp !== undefined && azp !== clientId) return `issued to another client (azp ${String(azp)})`
  if (Array.isArray(claims.aud) && claims.aud.length > 1 && azp === undefined)
    return 'several audiences and no azp'
  return undefined
}

/** jose checks exp and nbf; an id_token issued in the future (beyond the clock skew) is refused too. */
function issuedAtProblem(claims: IdTokenClaims): string | undefined {
  const now = Math.floor(Date.now() / 1000)
  if (typeof claims.iat === 'number' && claims.iat > now + CLOCK_SKEW_SECONDS)
    return `issued in the future (iat ${claims.iat})`
  return undefined
}

export function createIdTokenValidator(options: {
  jwksUri: string
  issuer: string
  clientId: string
  fetch: typeof fetch
  timeoutMs: number
}): IdTokenValidator {
  // jose is loaded at the first sign-in, not before the app listens; one JWKS cache for the validator's life.
  let verifier: Promise<(idToken: string) => Promise<{ payload: IdTokenClaims }>> | undefined
  const verify = async (idToken: string) => {
    verifier ??= import('jose').then(({ createRemoteJWKSet, customFetch, jwtVerify }) => {
      const jwks = createRemoteJWKSet(new URL(options.jwksUri), {
        timeoutDuration: options.timeoutMs,
        [customFetch]: (url: string, init: RequestInit) => options.fetch(url, init),
      })
      return (token: string) =>
        jwtVerify<IdTokenClaims>(token, jwks, {
          audience: options.clientId,
          clockTolerance: CLOCK_SKEW_SECONDS,
          requiredClaims: ['iss', 'aud', 'exp', 'iat', 'tid'],
        })
    })
    return (await verifier)(idToken)
  }
  const invalid = (message: string, cause?: unknown) =>
    new AuthError('ERR_AUTH_ID_TOKEN_INVALID', { message: `ID token rejected: ${message}`, cause })
  return {
    async validate(idToken, expected) {
      let claims: IdTokenClaims
      try {
        ;({ payload: claims } = await verify(idToken))
      } catch (error) {
        const code = (error as { code?: string }).code
        if (code === 'ERR_JWKS_TIMEOUT' || (error instanceof TypeError && !code)) {
          throw new AuthError('ERR_AUTH_UNAVAILABLE', {
            message: 'The signing keys of the identity provider cannot be fetched',
            cause: error,
          })
        }
        throw invalid((error as Error).message, error)
      }
      if (typeof claims.iss !== 'string' || !issuerMatches(options.issuer, claims.iss, claims.tid))
        throw invalid(`unexpected issuer ${String(claims.iss)}`)
      if (claims.nonce !== expected.nonce) throw invalid('nonce mismatch')
      const problem = partyProblem(claims, options.clientId) ?? issuedAtProblem(claims)
      if (problem) throw invalid(problem)
      if (typeof claims.oid !== 'string' && typeof claims.sub !== 'string')
        throw invalid('no oid or sub')
      return claims
    },
  }
}
