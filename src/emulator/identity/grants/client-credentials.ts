/** clientCredentialsGrant: grant_type=client_credentials. */
import { issueAppToken } from '../issue.ts'
import { aadsts } from '../oauth-error.ts'
import { GRAPH_APP_ID, GRAPH_RESOURCE } from '../jwt-signer.ts'
import { required, requireCredential, type Grant } from './grant.ts'

/**
 * - a tenant is required: /common, /organizations, /consumers are refused (AADSTS9001023)
 * - a credential is required (AADSTS7000218)
 * - scope is `<resource>/.default` (AADSTS1002012); v1 uses `resource`; only Graph is known (AADSTS70011)
 */
export const clientCredentialsGrant: Grant = async (input) => {
  const { params, app } = input
  if (input.specialTenant) throw aadsts.tenantRequired()
  requireCredential(input)
  const scope =
    input.version === 1
      ? `${required(params, 'resource').replace(/\/+$/, '')}/.default`
      : required(params, 'scope')
  const items = scope.split(/\s+/).filter(Boolean)
  if (items.length !== 1 || !items[0]!.toLowerCase().endsWith('/.default'))
    throw aadsts.ccScopeNotDefault(scope)
  const resource = items[0]!.slice(0, -'/.default'.length).toLowerCase()
  if (resource !== GRAPH_RESOURCE && resource !== GRAPH_APP_ID) throw aadsts.invalidScope(scope)
  return issueAppToken(input.context, app, input.tenantId, input.method, input.version)
}
