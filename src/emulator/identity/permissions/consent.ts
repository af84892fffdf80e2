/**
 * consentNeed: what a user must consent to before an app gets the Graph permissions it asks for, and what the token then
 * carries — Entra's rules for `.default`, incremental consent and admin-only permissions (docs/EMULATOR-CONTROL.md,
 * "Permissions and consent", cites them); responseScope: the `scope` of the token response.
 */
import type { App, Directory } from '../../state/directory.ts'
import { ALL_PRINCIPALS } from '../../state/directory.ts'
import type { ScopeRequest } from '../scopes.ts'
import { OIDC_SCOPES } from '../scopes.ts'
import { findPermission } from './catalogue.ts'

export interface ConsentNeed {
  /** The Graph permissions the access token carries once consent is given. */
  graph: string[]
  /** What the consent page lists and Accept grants (Graph permissions, then OIDC scopes); empty: no prompt. */
  prompt: string[]
  /** Of `prompt`, the permissions only an administrator may grant (and none has). */
  adminOnly: string[]
}

const isOidc = (scope: string) => OIDC_SCOPES.includes(scope.toLowerCase())
const lowerSet = (names: string[]) => new Set(names.map((name) => name.toLowerCase()))

/**
 * - named permissions: a prompt for those not yet granted (only the new ones: incremental consent); the token carries
 *   every Graph permission granted to the app for the user, the new ones included
 * - `.default`: no prompt once any Graph permission is granted — the token carries all granted ones; with none (or
 *   prompt=consent) a prompt for the permissions configured on the registration, plus any granted
 * - `force` (prompt=consent): the prompt lists everything asked for, granted or not
 * - OIDC scopes never cause a prompt of their own; they are listed with a prompt while not granted yet
 */
export function consentNeed(
  directory: Directory,
  app: App,
  userId: string,
  scopes: ScopeRequest,
  force = false,
): ConsentNeed {
  const granted = directory.grantedScopes(userId, app.clientId)
  const grantedGraph = granted.filter((scope) => !isOidc(scope))
  const has = lowerSet(granted)
  let graph: string[]
  let promptGraph: string[]
  if (scopes.isDefault) {
    const silent = grantedGraph.length > 0 && !force
    graph = silent ? grantedGraph : union(app.requiredPermissions.delegated, grantedGraph)
    promptGraph = silent ? [] : graph
  } else {
    graph = union(scopes.graph, grantedGraph)
    promptGraph = force ? scopes.graph : scopes.graph.filter((name) => !has.has(name.toLowerCase()))
  }
  if (promptGraph.length === 0 && !force) return { graph, prompt: [], adminOnly: [] }
  const oidc = [...scopes.oidc, ...(scopes.offline ? ['offline_access'] : [])]
  const adminGranted = lowerSet(directory.grantedScopes(ALL_PRINCIPALS, app.clientId))
  return {
    graph,
    prompt: [...promptGraph, ...oidc.filter((scope) => force || !has.has(scope))],
    adminOnly: promptGraph.filter(
      (name) =>
        findPermission(name, 'delegated')?.admin === true && !adminGranted.has(name.toLowerCase()),
    ),
  }
}

/** Each name once (case-insensitively), first spelling kept, in order. */
function union(...lists: string[][]): string[] {
  const seen = new Set<string>()
  const out: string[] = []
  for (const name of lists.flat()) {
    if (seen.has(name.toLowerCase())) continue
    seen.add(name.toLowerCase())
    out.push(name)
  }
  return out
}

/**
 * The token response's `scope`: the request's own words (`.default` as asked), then the other Graph permissions the
 * token carries, in the request's form (URL form when it named Graph permissions so).
 */
export function responseScope(scopes: ScopeRequest, graph: string[]): string {
  if (scopes.isDefault) return scopes.echo
  const asked = lowerSet(scopes.graph)
  const extra = graph
    .filter((name) => !asked.has(name.toLowerCase()))
    .map((name) => (scopes.qualified ? `https://graph.microsoft.com/${name}` : name))
  return [scopes.echo, ...extra].filter(Boolean).join(' ')
}
