/** The identity side's records, as the identity store keeps them: sign-ins, SSO sessions, codes, refresh tokens. */
import type { Lang } from './i18n/index.ts'

export type ResponseMode = 'query' | 'fragment' | 'form_post'

/** How a client authenticated at the token endpoint. */
export type ClientAuthMethod = 'secret' | 'certificate' | 'none'

export type Step =
  'email' | 'password' | 'kmsi' | 'consent' | 'admin-approval' | 'pick' | 'device-confirm'

/** An in-flight sign-in, kept server-side: the browser only carries its opaque id (hidden field `ctx`). */
export interface Flow {
  id: string
  tenantSegment: string
  tenantId: string
  version: 1 | 2
  clientId: string
  redirectUri: string
  responseMode: ResponseMode
  state?: string
  nonce?: string
  scope: string
  resource?: string
  codeChallenge?: string
  codeChallengeMethod?: 'S256' | 'plain'
  prompt?: 'login' | 'none' | 'consent' | 'select_account'
  loginHint?: string
  clientInfo: boolean
  clientRequestId?: string
  lang: Lang
  step: Step
  userId?: string
  authenticated: boolean
  /** The hashed device code, when the sign-in completes a device code. */
  deviceCode?: string
  /** At the consent step: what the page lists and Accept grants (identity/permissions/consent.ts). */
  consent?: string[]
}

/** A browser's SSO session (cookie ESTSAUTH): the users signed in, most recent first. */
export interface Session {
  id: string
  users: string[]
  persistent: boolean
  createdAt: number
}

/** An authorization code, stored under its hash. */
export interface CodeRecord {
  clientId: string
  redirectUri: string
  scope: string
  resource?: string
  nonce?: string
  codeChallenge?: string
  codeChallengeMethod?: 'S256' | 'plain'
  userId: string
  tenantId: string
  sessionId?: string
  version: 1 | 2
  expiresAt: number
  redeemed: boolean
  replayed?: boolean
  /** What the code issued, revoked if it is replayed. */
  issuedRefreshTokens: string[]
  issuedAccessTokens: string[]
}

/** A refresh token, stored under its hash. */
export interface RefreshRecord {
  id: string
  clientId: string
  userId: string
  tenantId: string
  scope: string
  publicClient: boolean
  createdAt: number
  lastUsedAt: number
  revoked: boolean
  sessionId?: string
}

/** A device code, stored under its hash; its user code points to it. */
export interface DeviceRecord {
  userCode: string
  clientId: string
  scope: string
  tenantSegment: string
  tenantId: string
  expiresAt: number
  status: 'pending' | 'approved' | 'declined' | 'redeemed'
  userId?: string
}
