/** checkPkce: the authorize request's PKCE challenge. */
import { aadsts, OAuthError } from '../oauth-error.ts'
import type { AuthorizeCheck } from './authorize-request.ts'

/**
 * - code_challenge_method defaults to `plain` when a code_challenge is given (RFC 7636 §4.3)
 * - a method without a challenge is refused; only S256 and plain exist
 * - with the emulator option pkce: 'S256-only', plain is refused (RFC 9700 §2.1.1)
 * - an S256 challenge is 43 base64url characters
 */
export const checkPkce: AuthorizeCheck = (request) => {
  const challenge = request.params.code_challenge
  const method = request.params.code_challenge_method
  if (!challenge) {
    if (method) throw aadsts.missingParameter('code_challenge')
    return
  }
  const resolved = method ?? 'plain'
  if (resolved !== 'S256' && resolved !== 'plain') {
    throw new OAuthError(
      400,
      'invalid_request',
      501491,
      `Invalid code_challenge_method '${resolved}'.`,
    )
  }
  if (resolved === 'plain' && request.context.options.pkce === 'S256-only')
    throw aadsts.pkcePlainRefused()
  const shape = resolved === 'S256' ? /^[A-Za-z0-9_-]{43}$/ : /^[A-Za-z0-9._~-]{43,128}$/
  if (!shape.test(challenge))
    throw new OAuthError(
      400,
      'invalid_request',
      501491,
      'Invalid size of Code_Challenge parameter.',
    )
  request.codeChallenge = challenge
  request.codeChallengeMethod = resolved
}
