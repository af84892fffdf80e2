/**
 * `graphFor`: the Microsoft Graph of an authority's cloud (global, US Government, China) — its base URL and the resource
 * its scopes name; `qualifiedScopes` puts that resource in front of short scope names outside the global cloud.
 */

export interface GraphEndpoint {
  /** e.g. https://graph.microsoft.com/v1.0 */
  baseUrl: string
  /** The resource application-permission scopes name: e.g. https://graph.microsoft.com (…/.default). */
  resource: string
}

/** Entra's sign-in hosts and their Graph (learn.microsoft.com/graph/deployments). */
const CLOUDS: Record<string, string> = {
  'login.microsoftonline.com': 'https://graph.microsoft.com',
  'login.microsoftonline.us': 'https://graph.microsoft.us', // US Government L4; L5 (DoD): --graph-url https://dod-graph.microsoft.us/v1.0
  'login.partner.microsoftonline.cn': 'https://microsoftgraph.chinacloudapi.cn',
  'login.chinacloudapi.cn': 'https://microsoftgraph.chinacloudapi.cn',
}

/**
 * The Graph for `authority`; `graphUrl` (--graph-url or GRAPH_BASE_URL) wins for the base URL. An authority of no known
 * cloud (the emulator, a proxy) uses the global resource name, as Entra's tokens for Graph do.
 */
export function graphFor(authority: string, graphUrl?: string): GraphEndpoint {
  const resource =
    CLOUDS[new URL(authority).hostname.toLowerCase()] ?? 'https://graph.microsoft.com'
  return { baseUrl: (graphUrl ?? `${resource}/v1.0`).replace(/\/+$/, ''), resource }
}

/** Short names (Mail.Send) become `<resource>/Mail.Send` outside the global cloud; OpenID scopes stay as they are. */
export function qualifiedScopes(scopes: readonly string[], resource: string): string[] {
  if (resource === 'https://graph.microsoft.com') return [...scopes]
  return scopes.map((scope) =>
    scope.includes('/') || ['openid', 'profile', 'email', 'offline_access'].includes(scope)
      ? scope
      : `${resource}/${scope}`,
  )
}
