/** authorizationCodeGrant: grant_type=authorization_code. */
import type { EmulatorContext } from '../../context.ts'
import { createHash } from 'node:crypto'
import type { User } from '../../state/directory.ts'
import { issueUserTokens } from '../issue.ts'
import { aadsts } from '../oauth-error.ts'
import type { CodeRecord, RefreshRecord } from '../records.ts'
import { consentNeed } from '../permissions/consent.ts'
import { parseScopes } from '../scopes.ts'
import { hashId } from '../identity-store.ts'
import { required, requireCredential, type Grant } from './grant.ts'

/**
 * - code required; unknown → AADSTS9002313; already redeemed → AADSTS54005 and the tokens it issued are revoked
 * - expired (~10 min) → AADSTS70008; other client → AADSTS70000
 * - redirect_uri required and equal to the authorize one (AADSTS500112)
 * - PKCE: verifier required iff a challenge was sent, S256 or plain (AADSTS501481)
 * - a credential is required unless the code went to a loopback (native) redirect URI with PKCE
 */
export const authorizationCodeGrant: Grant = async (input) => {
  const { context, params, app } = input
  const code = required(params, 'code')
  const id = hashId(code)
  const record = context.identity.get<CodeRecord>('code', id)
  if (!record) throw aadsts.invalidCode()
  if (record.redeemed) {
    context.identity.put(
      'code',
      id,
      { ...record, replayed: true },
      context.options.authCodeLifetimeSeconds + 24 * 3600,
    )
    revokeIssued(context, record)
    throw aadsts.codeRedeemed()
  }
  if (record.expiresAt <= Date.now()) throw aadsts.codeExpired()
  if (record.clientId.toLowerCase() !== app.clientId.toLowerCase()) throw aadsts.codeOtherClient()
  if (!input.specialTenant && input.tenantId !== record.tenantId) throw aadsts.codeOtherTenant()
  const redirectUri = required(params, 'redirect_uri')
  if (redirectUri !== record.redirectUri)
    throw aadsts.replyMismatch(redirectUri, record.redirectUri)
  checkVerifier(record, params.code_verifier)
  const native =
    /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?\/?$/.test(record.redirectUri) &&
    !!record.codeChallenge
  if (!native) requireCredential(input)
  const user = context.directory.findUser(record.userId) as User
  // Marked redeemed before the (asynchronous) signing, so a concurrent replay already sees it.
  record.redeemed = true
  const keepSeconds = context.options.authCodeLifetimeSeconds + 24 * 3600
  context.identity.put('code', id, record, keepSeconds)
  const scopes = parseScopes(record.scope, app)
  const issued = await issueUserTokens(context, {
    app,
    user,
    tenantId: record.tenantId,
    scopes,
    graph: consentNeed(context.directory, app, user.id, scopes).graph,
    scope: record.scope,
    authMethod: input.method,
    nonce: record.nonce,
    withRefresh: scopes.offline || record.version === 1,
    withClientInfo: params.client_info === '1',
    version: input.version,
    sessionId: record.sessionId,
  })
  const latest = context.identity.get<CodeRecord>('code', id) ?? record
  if (issued.refreshId) latest.issuedRefreshTokens.push(issued.refreshId)
  latest.issuedAccessTokens.push(issued.uti)
  context.identity.put('code', id, latest, keepSeconds)
  if (latest.replayed) revokeIssued(context, latest) // replayed while we were signing
  return issued.body
}

function checkVerifier(record: CodeRecord, verifier: string | undefined): void {
  if (!record.codeChallenge) {
    if (verifier) throw aadsts.pkceUnexpected()
    return
  }
  if (!verifier) throw aadsts.missingParameter('code_verifier')
  const computed =
    record.codeChallengeMethod === 'S256'
      ? createHash('sha256').update(verifier).digest('base64url')
      : verifier
  if (computed !== record.codeChallenge) throw aadsts.pkceMismatch()
}

/** RFC 9700 §4.2.4 / OAuth 2.1: a replayed code revokes what it issued. */
function revokeIssued(context: EmulatorContext, record: CodeRecord): void {
  for (const id of record.issuedRefreshTokens) {
    const refresh = context.identity.get<RefreshRecord>('refresh', id)
    if (refresh)
      context.identity.put(
        'refresh',
        id,
        { ...refresh, revoked: true },
        context.options.refreshTokenLifetimeSeconds,
      )
  }
  for (const uti of record.issuedAccessTokens)
    context.signer.revoke(uti, context.options.accessTokenLifetimeSeconds + 600)
}
