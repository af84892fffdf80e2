/** passwordGrant: grant_type=password (ROPC, for test tooling). */
import { issueUserTokens } from '../issue.ts'
import { aadsts } from '../oauth-error.ts'
import { consentNeed } from '../permissions/consent.ts'
import { parseScopes, scopeFromResource } from '../scopes.ts'
import { required, type Grant } from './grant.ts'

/**
 * - username, password and scope required (AADSTS900144)
 * - unknown user → AADSTS50034; wrong password → AADSTS50126; anything not consented yet (an admin-only permission
 *   no administrator granted included) → AADSTS65001, as Entra: ROPC cannot show a consent page
 */
export const passwordGrant: Grant = async (input) => {
  const { context, params, app } = input
  const username = required(params, 'username')
  const password = required(params, 'password')
  const scope =
    input.version === 1
      ? scopeFromResource(required(params, 'resource'))
      : required(params, 'scope')
  const scopes = parseScopes(scope, app)
  const user = context.directory.findUser(username)
  if (!user) throw aadsts.unknownUser(username)
  if (user.password !== password) throw aadsts.badCredentials()
  const need = consentNeed(context.directory, app, user.id, scopes)
  if (need.prompt.length > 0) throw aadsts.consentRequired(app.clientId, app.displayName)
  return (
    await issueUserTokens(context, {
      app,
      user,
      tenantId: context.directory.tenant.id,
      scopes,
      graph: need.graph,
      scope,
      authMethod: input.method,
      withRefresh: scopes.offline || input.version === 1,
      withClientInfo: params.client_info === '1',
      version: input.version,
    })
  ).body
}
