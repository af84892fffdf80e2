/** Scope parsing: OIDC scopes, Graph delegated permissions (short or URL form, from the catalogue), .default, v1 resource. */
import { aadsts } from './oauth-error.ts'
import { GRAPH_APP_ID, GRAPH_RESOURCE } from './jwt-signer.ts'
import { findPermission } from './permissions/catalogue.ts'

export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access']

export interface ScopeRequest {
  /** As requested, in order. */
  raw: string[]
  /** openid, profile, email (offline_access kept apart). */
  oidc: string[]
  offline: boolean
  /** Canonical names of the delegated Graph permissions named (none for `.default`). */
  graph: string[]
  /** 00000003-… for short names, https://graph.microsoft.com for URL forms and .default. */
  audience: string
  /** `.default`: the permissions granted, or the app's configured ones (identity/permissions/consent.ts). */
  isDefault: boolean
  /** The scope string a token response echoes: request form, without offline_access. */
  echo: string
  /** A Graph permission was named in its URL form (https://graph.microsoft.com/Mail.Send). */
  qualified: boolean
}

/** The app a scope error names (AADSTS650053 names it). */
export interface ScopeClient {
  clientId: string
  displayName: string
}

const GRAPH_PREFIX =
  /^(?:(https:\/\/graph\.microsoft\.com|00000003-0000-0000-c000-000000000000)\/?)?(.+)$/i

/**
 * - resources other than Graph, and malformed names: AADSTS70011 (invalid_scope)
 * - a name Graph has no delegated permission for: AADSTS650053, as Entra answers (the app "asked for scope … that
 *   doesn't exist on the resource")
 * - `.default` with other Graph permissions: AADSTS70011 (static and dynamic consent cannot be combined)
 */
export function parseScopes(scope: string, client?: ScopeClient): ScopeRequest {
  const raw = [...new Set(scope.split(/\s+/).filter(Boolean))]
  const request: ScopeRequest = {
    raw,
    oidc: [],
    offline: false,
    graph: [],
    audience: GRAPH_APP_ID,
    isDefault: false,
    echo: '',
    qualified: false,
  }
  const echo: string[] = []
  for (const item of raw) {
    const lower = item.toLowerCase()
    if (lower === 'offline_access') {
      request.offline = true
      continue
    }
    echo.push(item)
    if (OIDC_SCOPES.includes(lower)) request.oidc.push(lower)
    else addGraphScope(request, item, client)
  }
  if (request.isDefault && request.graph.length > 0) throw aadsts.invalidScope(scope)
  request.graph = [...new Set(request.graph)]
  request.echo = echo.join(' ')
  if (request.qualified || request.isDefault) request.audience = GRAPH_RESOURCE
  return request
}

function addGraphScope(request: ScopeRequest, item: string, client?: ScopeClient): void {
  const match = GRAPH_PREFIX.exec(item)!
  const name = match[2]!
  if (match[1]) request.qualified = true
  if (!match[1] && (name.includes('/') || name.includes(':'))) throw aadsts.invalidScope(item)
  if (name.toLowerCase() === '.default') {
    request.isDefault = true
    return
  }
  const permission = findPermission(name, 'delegated')
  if (!permission || OIDC_SCOPES.includes(permission.name))
    throw aadsts.unknownScope(name, client?.displayName ?? client?.clientId ?? '')
  request.graph.push(permission.name)
}

/** v1 `resource=R` ≡ v2 `scope=R/.default` (plus openid, which v1 always implies). */
export function scopeFromResource(resource: string): string {
  const trimmed = resource.replace(/\/+$/, '')
  if (trimmed.toLowerCase() !== GRAPH_RESOURCE && trimmed.toLowerCase() !== GRAPH_APP_ID) {
    throw aadsts.invalidScope(resource)
  }
  return `openid ${GRAPH_RESOURCE}/.default`
}
