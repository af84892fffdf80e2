/** refreshTokenGrant: grant_type=refresh_token. */
import { issueUserTokens } from '../issue.ts'
import type { RefreshRecord } from '../records.ts'
import { aadsts, OAuthError } from '../oauth-error.ts'
import { consentNeed } from '../permissions/consent.ts'
import { parseScopes, scopeFromResource } from '../scopes.ts'
import { hashId } from '../identity-store.ts'
import { required, requireCredential, type Grant } from './grant.ts'

/**
 * - refresh_token required; unknown → AADSTS9002313; other client → AADSTS70000; revoked → AADSTS50173
 * - idle longer than the refresh lifetime (90 days) → AADSTS700082 (suberror bad_token)
 * - scopes beyond the user's consent → AADSTS65001 (suberror consent_required)
 * - a new refresh token every time (rotation); the id_token never carries a nonce
 */
export const refreshTokenGrant: Grant = async (input) => {
  const { context, params, app } = input
  const id = hashId(required(params, 'refresh_token'))
  const record = context.identity.get<RefreshRecord>('refresh', id)
  if (!record) throw aadsts.invalidRefreshToken()
  if (record.clientId.toLowerCase() !== app.clientId.toLowerCase()) {
    throw new OAuthError(
      400,
      'invalid_grant',
      70000,
      "The provided value for the input parameter 'refresh_token' or 'assertion' is not valid.",
    )
  }
  if (record.revoked) throw aadsts.refreshTokenRevoked()
  const lifetime = context.options.refreshTokenLifetimeSeconds * 1000
  if (record.lastUsedAt + lifetime <= Date.now())
    throw aadsts.refreshTokenExpired(new Date(record.createdAt).toISOString())
  if (!record.publicClient) requireCredential(input)
  const user = context.directory.findUser(record.userId)
  if (!user) throw aadsts.refreshTokenRevoked()
  const scope =
    input.version === 1 && params.resource
      ? scopeFromResource(params.resource)
      : params.scope || record.scope
  const scopes = parseScopes(scope, app)
  const need = consentNeed(context.directory, app, user.id, scopes)
  if (need.prompt.length > 0) throw aadsts.consentRequired(app.clientId, app.displayName)
  context.identity.put(
    'refresh',
    id,
    { ...record, lastUsedAt: Date.now() },
    context.options.refreshTokenLifetimeSeconds + 24 * 3600,
  )
  return (
    await issueUserTokens(context, {
      app,
      user,
      tenantId: record.tenantId,
      scopes,
      graph: need.graph,
      scope,
      authMethod: record.publicClient ? 'none' : input.method,
      withRefresh: true,
      withClientInfo: params.client_info === '1',
      version: input.version,
      sessionId: record.sessionId,
    })
  ).body
}
