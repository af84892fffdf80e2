/** The one translator from msal-node errors to AuthError. Our own errors pass through unchanged. */
import { AppError, AuthError, type AuthErrorCode } from '../errors.ts'

interface MsalLikeError {
  name?: string
  errorCode?: string
  errorMessage?: string
  subError?: string
  errorNo?: string | number
  status?: number
}

/** The AADSTS number in an `error_description` (`AADSTS50011: …`), if any. */
export function parseAadsts(text: string | undefined): number | undefined {
  const match = text?.match(/AADSTS(\d+)/)
  return match ? Number(match[1]) : undefined
}

const UNAVAILABLE_ERRORS = new Set([
  'temporarily_unavailable',
  'server_error',
  'network_error',
  'token_parsing_error',
  'invalid_response',
])

function codeFor(error: MsalLikeError, phase: 'code' | 'silent'): AuthErrorCode {
  const code = error.errorCode ?? ''
  if (
    (error.status !== undefined && (error.status === 429 || error.status >= 500)) ||
    UNAVAILABLE_ERRORS.has(code)
  )
    return 'ERR_AUTH_UNAVAILABLE'
  if (code === 'nonce_mismatch' || code === 'token_claims_cnf_required_for_signedjwt')
    return 'ERR_AUTH_ID_TOKEN_INVALID'
  if (code === 'state_mismatch' || code === 'invalid_state' || code === 'state_not_found')
    return 'ERR_AUTH_STATE_INVALID'
  if (code === 'invalid_client' || code === 'unauthorized_client') return 'ERR_AUTH_CLIENT_REJECTED'
  if (code === 'endpoints_resolution_error' || code === 'untrusted_authority')
    return 'ERR_AUTH_METADATA'
  if (
    error.name === 'InteractionRequiredAuthError' ||
    code === 'invalid_grant' ||
    code === 'no_tokens_found' ||
    code === 'refresh_token_expired'
  ) {
    return phase === 'code' ? 'ERR_AUTH_CODE_REJECTED' : 'ERR_AUTH_INTERACTION_REQUIRED'
  }
  if (
    phase === 'silent' &&
    (code === 'no_account_in_silent_request' || code === 'no_account_found')
  )
    return 'ERR_AUTH_INTERACTION_REQUIRED'
  return phase === 'code' ? 'ERR_AUTH_CODE_REJECTED' : 'ERR_AUTH_UNAVAILABLE'
}

/**
 * Maps a failure of msal (code redemption or silent acquisition) to an AuthError, keeping the IdP's error, its AADSTS
 * number and the cause: refresh impossible → ERR_AUTH_INTERACTION_REQUIRED (sign in again); token endpoint 429/5xx or
 * network → ERR_AUTH_UNAVAILABLE (try later, not a sign-out); bad credentials → ERR_AUTH_CLIENT_REJECTED.
 */
export function mapMsalError(error: unknown, phase: 'code' | 'silent'): never {
  if (error instanceof AppError) throw error
  if (!(error instanceof Error)) throw new AuthError('ERR_AUTH_UNAVAILABLE', { cause: error })
  const msal = error as MsalLikeError
  const description = msal.errorMessage ?? error.message
  const aadsts =
    parseAadsts(description) ??
    (msal.errorNo !== undefined && /^\d+$/.test(String(msal.errorNo))
      ? Number(msal.errorNo)
      : undefined)
  throw new AuthError(codeFor(msal, phase), {
    message: `${msal.errorCode || error.name}: ${description.split('\n')[0]}`.slice(0, 500),
    cause: error,
    idpError: msal.errorCode || undefined,
    aadsts,
    idpDescription: description,
  })
}
