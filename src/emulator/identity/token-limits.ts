/**
 * loopDetected, checkTokenLoop and withholdScopes: Entra's client-loop detection (AADSTS50196) and a down-scoped grant
 * (fewer scopes issued than requested), for clients to test against; docs/EMULATOR-CONTROL.md "Limits".
 */
import { createHash } from 'node:crypto'
import type { EmulatorContext } from '../context.ts'
import type { AccessTokenClaims } from './jwt-signer.ts'
import { OAuthError } from './oauth-error.ts'

/**
 * Entra's answer to a looping client: `invalid_grant`, 400 (reference-breaking-changes "Looping clients will be
 * interrupted"); the wording as Entra's token endpoint sends it (Azure/azure-sdk-for-net#23324, pnp/powershell#2995).
 */
export const loopDetected = () =>
  new OAuthError(
    400,
    'invalid_grant',
    50196,
    'The server terminated an operation because it encountered a client request loop. Please contact your app vendor.',
  )

// What makes two token requests "the same" to Entra's loop detection: the client, the user hint, the scopes or resource
// and the redirect URI (reference-breaking-changes). Codes, refresh tokens, credentials and telemetry differ between
// the requests of a looping client, so they are left out.
const COMPARED = ['client_id', 'grant_type', 'resource', 'redirect_uri', 'username', 'login_hint']

/** Throws AADSTS50196 when this request is one identical request too many (throttling's tokenLoop* settings). */
export function checkTokenLoop(
  context: EmulatorContext,
  tenantSegment: string,
  params: Record<string, string | undefined>,
): void {
  const scope = (params.scope ?? '').toLowerCase().split(/\s+/).filter(Boolean).sort().join(' ')
  const parts = [tenantSegment.toLowerCase(), scope, ...COMPARED.map((name) => params[name] ?? '')]
  const signature = createHash('sha256').update(JSON.stringify(parts)).digest('base64url')
  if (context.throttle.tokenLoop(signature)) throw loopDetected()
}

/** `Mail.Send` and `https://graph.microsoft.com/Mail.Send` name the same permission. */
const shortName = (scope: string) => scope.replace(/^.*\//, '').toLowerCase()

/**
 * The token response with `withheld` scopes taken out of the access token's `scp` (re-signed, same `uti`) and of the
 * response's `scope`: Entra issues fewer scopes than asked when some are not consented or need more, and says so only
 * in `scope` (reference-breaking-changes, August 2021). App-only tokens have no scopes and are returned unchanged.
 */
export async function withholdScopes(
  context: EmulatorContext,
  body: Record<string, unknown>,
  withheld: string[],
): Promise<Record<string, unknown>> {
  if (typeof body.access_token !== 'string' || typeof body.scope !== 'string') return body
  const drop = new Set(withheld.map(shortName))
  const keep = (list: string) =>
    list
      .split(' ')
      .filter((scope) => scope && !drop.has(shortName(scope)))
      .join(' ')
  const payload = body.access_token.split('.')[1] ?? ''
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as AccessTokenClaims
  const scp = keep(String(claims.scp ?? ''))
  const accessToken = await context.signer.signAccessToken({ ...claims, scp })
  return { ...body, scope: keep(body.scope), access_token: accessToken }
}
