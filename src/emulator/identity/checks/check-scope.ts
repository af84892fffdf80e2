/** checkScope: the authorize request's scope (v2) or resource (v1). */
import { aadsts } from '../oauth-error.ts'
import { parseScopes, scopeFromResource } from '../scopes.ts'
import type { AuthorizeCheck } from './authorize-request.ts'

/**
 * - v2: scope is required (AADSTS900144) and may name only Graph and OIDC scopes (AADSTS70011); a Graph permission
 *   that does not exist is AADSTS650053 (invalid_client), as Entra redirects it
 * - v1: `resource` stands for `<resource>/.default`; scope is ignored
 */
export const checkScope: AuthorizeCheck = (request) => {
  const { scope, resource } = request.params
  const text =
    request.version === 1 ? scopeFromResource(resource || 'https://graph.microsoft.com') : scope
  if (!text) throw aadsts.missingParameter('scope')
  request.scope = parseScopes(text, request.app)
  request.scopeString = text
}
