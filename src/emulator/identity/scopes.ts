/** Scope parsing: OIDC scopes, Graph delegated scopes (short or URL form), .default and the v1 `resource`. */
import { aadsts } from './oauth-error.ts'
import { GRAPH_APP_ID, GRAPH_RESOURCE } from './jwt-signer.ts'

export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access']
/** Delegated Graph permissions the emulator knows (their consent texts live in i18n). */
export const GRAPH_SCOPES = [
  'User.Read',
  'User.ReadBasic.All',
  'User.Read.All',
  'Mail.Read',
  'Mail.ReadWrite',
  'Mail.Send',
  'Mail.Send.Shared',
  'MailboxSettings.Read',
]
/** What `.default` means for a delegated request: the permissions configured on the demo app registration. */
export const DEFAULT_DELEGATED = ['User.Read', 'Mail.Send']

export interface ScopeRequest {
  /** As requested, in order. */
  raw: string[]
  /** openid, profile, email (offline_access kept apart). */
  oidc: string[]
  offline: boolean
  /** Canonical short names of the delegated Graph permissions. */
  graph: string[]
  /** 00000003-… for short names, https://graph.microsoft.com for URL forms and .default. */
  audience: string
  isDefault: boolean
  /** The scope string a token response echoes: request form, without offline_access. */
  echo: string
}

/** Throws invalid_scope for resources other than Graph and unknown Graph permissions. */
export function parseScopes(scope: string): ScopeRequest {
  const raw = [...new Set(scope.split(/\s+/).filter(Boolean))]
  const oidc: string[] = []
  const graph: string[] = []
  let offline = false
  let qualified = false
  let isDefault = false
  const echo: string[] = []
  for (const item of raw) {
    const lower = item.toLowerCase()
    if (lower === 'offline_access') {
      offline = true
      continue
    }
    echo.push(item)
    if (OIDC_SCOPES.includes(lower)) {
      oidc.push(lower)
      continue
    }
    const match =
      /^(?:(https:\/\/graph\.microsoft\.com|00000003-0000-0000-c000-000000000000)\/?)?(.+)$/i.exec(
        item,
      )!
    if (match[1]) qualified = true
    const name = match[2]!
    if (!match[1] && (name.includes('/') || name.includes(':'))) throw aadsts.invalidScope(item)
    if (name.toLowerCase() === '.default') {
      isDefault = true
      graph.push(...DEFAULT_DELEGATED)
      continue
    }
    const known = GRAPH_SCOPES.find((candidate) => candidate.toLowerCase() === name.toLowerCase())
    if (!known) throw aadsts.invalidScope(item)
    graph.push(known)
  }
  return {
    raw,
    oidc,
    offline,
    graph: [...new Set(graph)],
    audience: qualified || isDefault ? GRAPH_RESOURCE : GRAPH_APP_ID,
    isDefault,
    echo: echo.join(' '),
  }
}

/** v1 `resource=R` ≡ v2 `scope=R/.default` (plus openid, which v1 always implies). */
export function scopeFromResource(resource: string): string {
  const trimmed = resource.replace(/\/+$/, '')
  if (trimmed.toLowerCase() !== GRAPH_RESOURCE && trimmed.toLowerCase() !== GRAPH_APP_ID) {
    throw aadsts.invalidScope(resource)
  }
  return `openid ${GRAPH_RESOURCE}/.default`
}
