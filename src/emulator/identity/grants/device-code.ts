/** deviceCodeGrant: grant_type=device_code (msal) or urn:ietf:params:oauth:grant-type:device_code (RFC 8628). */
import type { DeviceRecord } from '../records.ts'
import { issueUserTokens } from '../issue.ts'
import { aadsts } from '../oauth-error.ts'
import { consentNeed } from '../permissions/consent.ts'
import { parseScopes } from '../scopes.ts'
import { hashId } from '../identity-store.ts'
import { required, type Grant } from './grant.ts'

/**
 * - device_code required; unknown or another client's → bad_verification_code
 * - pending → authorization_pending (AADSTS70016, no Retry-After: msal would throttle)
 * - declined → authorization_declined; expired → expired_token (AADSTS70019); used twice → AADSTS54005
 */
export const deviceCodeGrant: Grant = async (input) => {
  const { context, params, app } = input
  const id = hashId(required(params, 'device_code'))
  const record = context.identity.get<DeviceRecord>('device', id)
  if (!record || record.clientId.toLowerCase() !== app.clientId.toLowerCase())
    throw aadsts.badDeviceCode()
  if (record.status === 'redeemed') throw aadsts.codeRedeemed()
  if (record.expiresAt <= Date.now()) throw aadsts.deviceCodeExpired()
  if (record.status === 'declined') throw aadsts.deviceCodeDeclined()
  if (record.status === 'pending') throw aadsts.authorizationPending()
  const user = context.directory.findUser(record.userId ?? '')
  if (!user) throw aadsts.deviceCodeDeclined()
  context.identity.put('device', id, { ...record, status: 'redeemed' }, 3600)
  const scopes = parseScopes(record.scope, app)
  return (
    await issueUserTokens(context, {
      app,
      user,
      tenantId: record.tenantId,
      scopes,
      graph: consentNeed(context.directory, app, user.id, scopes).graph,
      scope: record.scope,
      authMethod: input.method,
      withRefresh: scopes.offline,
      withClientInfo: params.client_info === '1',
      version: input.version,
    })
  ).body
}
