/** The authorize request as the checks see it, and the error that must not be redirected. */
import type { EmulatorContext } from '../../context.ts'
import type { App, Tenant } from '../../state/directory.ts'
import type { OAuthError } from '../oauth-error.ts'
import type { ResponseMode } from '../records.ts'
import type { ScopeRequest } from '../scopes.ts'

export interface AuthorizeRequest {
  context: EmulatorContext
  params: Record<string, string | undefined>
  version: 1 | 2
  tenantSegment: string
  tenant?: Tenant | 'common' | 'organizations' | 'consumers'
  app?: App
  redirectUri?: string
  responseMode: ResponseMode
  scope?: ScopeRequest
  scopeString?: string
  codeChallenge?: string
  codeChallengeMethod?: 'S256' | 'plain'
  prompt?: 'login' | 'none' | 'consent' | 'select_account'
}

/** An error shown on the emulator's page, because the redirect URI cannot be trusted (§A4.1 class 1). */
export class PageError extends Error {
  readonly oauth: OAuthError
  constructor(oauth: OAuthError) {
    super(oauth.message)
    this.name = 'PageError'
    this.oauth = oauth
  }
}

export type AuthorizeCheck = (request: AuthorizeRequest) => void

/** Query/body parameters as strings; repeated parameters keep the first value. */
export function stringParams(...sources: unknown[]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {}
  for (const source of sources) {
    if (!source || typeof source !== 'object') continue
    for (const [key, value] of Object.entries(source)) {
      const first = Array.isArray(value) ? value[0] : value
      if (out[key] === undefined && (typeof first === 'string' || typeof first === 'number'))
        out[key] = String(first)
    }
  }
  return out
}
