/** Token responses (§A1.6, v1 §A3): access tokens (§A2.2), id tokens (§A2.1), refresh tokens and client_info. */
import type { EmulatorContext } from '../context.ts'
import { createHash } from 'node:crypto'
import type { App, User } from '../state/directory.ts'
import type { ClientAuthMethod, RefreshRecord } from './records.ts'
import { clientInfo } from './sign-in/authorize-response.ts'
import { responseScope } from './permissions/consent.ts'
import type { ScopeRequest } from './scopes.ts'
import { hashId, randomId } from './identity-store.ts'
import { GRAPH_RESOURCE, type AccessTokenClaims } from './jwt-signer.ts'

export interface UserGrant {
  app: App
  user: User
  tenantId: string
  scopes: ScopeRequest
  /** The Graph permissions the access token carries (identity/permissions/consent.ts). */
  graph: string[]
  scope: string
  authMethod: ClientAuthMethod
  nonce?: string
  withRefresh: boolean
  withClientInfo: boolean
  version: 1 | 2
  sessionId?: string
}

const now = () => Math.floor(Date.now() / 1000)
const appidacr = (method: ClientAuthMethod) =>
  ({ none: '0', secret: '1', certificate: '2' })[method]
/** A stable pairwise subject per (user, app), 43 base64url characters like Entra's. */
export const pairwiseSub = (userId: string, clientId: string) =>
  createHash('sha256').update(`${userId}|${clientId}`).digest('base64url')
/** The service principal object id of an app in the tenant (deterministic). */
export const servicePrincipalId = (clientId: string) => {
  const hex = createHash('sha256').update(`sp|${clientId}`).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

/** A user's tokens: access token, id token (openid, or v1), refresh token (offline_access, or v1), client_info. */
export async function issueUserTokens(
  context: EmulatorContext,
  grant: UserGrant,
): Promise<{ body: Record<string, unknown>; refreshId?: string; uti: string }> {
  const { user, scopes } = grant
  const iat = now()
  const lifetime = context.options.accessTokenLifetimeSeconds
  const access = accessClaims(context, grant, iat)
  const wantsIdToken = scopes.oidc.includes('openid') || grant.version === 1
  const [accessToken, idToken] = await Promise.all([
    context.signer.signAccessToken(access),
    wantsIdToken
      ? context.signer.signIdToken(
          grant.version === 2 ? idClaims(context, grant, iat) : idClaimsV1(context, grant, iat),
        )
      : undefined,
  ])
  const refresh = grant.withRefresh ? storeRefreshToken(context, grant) : undefined
  const issued = {
    access_token: accessToken,
    ...(refresh ? { refresh_token: refresh.token } : {}),
    ...(idToken ? { id_token: idToken } : {}),
  }
  const body: Record<string, unknown> =
    grant.version === 1
      ? {
          token_type: 'Bearer',
          scope: access.scp,
          expires_in: String(lifetime),
          ext_expires_in: String(lifetime),
          expires_on: String(iat + lifetime),
          not_before: String(iat),
          resource: GRAPH_RESOURCE,
          ...issued,
        }
      : {
          token_type: 'Bearer',
          scope: responseScope(scopes, grant.graph),
          expires_in: lifetime,
          ext_expires_in: lifetime,
          ...issued,
          ...(grant.withClientInfo ? { client_info: clientInfo(user) } : {}),
        }
  return { body, refreshId: refresh?.id, uti: String(access.uti) }
}

/** A delegated Graph access token's claims (§A2.2), shaped like Entra's v1 tokens. */
function accessClaims(context: EmulatorContext, grant: UserGrant, iat: number): AccessTokenClaims {
  const { app, user, scopes } = grant
  return {
    aud: grant.version === 1 ? GRAPH_RESOURCE : scopes.audience,
    iss: `${context.publicUrl()}/${grant.tenantId}/`,
    iat,
    nbf: iat,
    exp: iat + context.options.accessTokenLifetimeSeconds,
    acct: 0,
    acr: '1',
    aio: randomId(40),
    amr: ['pwd'],
    app_displayname: app.displayName,
    appid: app.clientId,
    appidacr: appidacr(grant.authMethod),
    family_name: user.surname,
    given_name: user.givenName,
    idtyp: 'user',
    ipaddr: '127.0.0.1',
    name: user.displayName,
    oid: user.id,
    platf: '3',
    rh: randomId(24),
    scp: [...grant.graph, ...scopes.oidc].join(' '),
    sid: grant.sessionId ?? randomId(16),
    sub: pairwiseSub(user.id, GRAPH_RESOURCE),
    tenant_region_scope: 'WW',
    tid: grant.tenantId,
    unique_name: user.userPrincipalName,
    upn: user.userPrincipalName,
    uti: randomId(16),
    ver: '1.0',
    xms_idrel: '1 16',
    xms_tcdt: 1700000000,
  }
}

/** A new refresh token, kept under its hash past its idle lifetime (so "expired" differs from "unknown"). */
function storeRefreshToken(context: EmulatorContext, grant: UserGrant) {
  const token = `1.${randomId(96)}`
  const id = hashId(token)
  const record: RefreshRecord = {
    id,
    clientId: grant.app.clientId,
    userId: grant.user.id,
    tenantId: grant.tenantId,
    scope: grant.scope,
    publicClient: grant.authMethod === 'none',
    createdAt: Date.now(),
    lastUsedAt: Date.now(),
    revoked: false,
    sessionId: grant.sessionId,
  }
  const keepSeconds = context.options.refreshTokenLifetimeSeconds + 24 * 3600
  context.identity.put('refresh', id, record, keepSeconds)
  return { token, id }
}

function idClaims(
  context: EmulatorContext,
  grant: UserGrant,
  iat: number,
): Record<string, unknown> {
  const { user, app, scopes } = grant
  return {
    aud: app.clientId,
    iss: `${context.publicUrl()}/${grant.tenantId}/v2.0`,
    iat,
    nbf: iat,
    exp: iat + context.options.idTokenLifetimeSeconds,
    aio: randomId(40),
    ...(scopes.oidc.includes('email') ? { email: user.mail } : {}),
    login_hint: Buffer.from(
      JSON.stringify({ oid: user.id, tid: grant.tenantId, upn: user.userPrincipalName }),
    ).toString('base64url'),
    name: user.displayName,
    ...(grant.nonce !== undefined ? { nonce: grant.nonce } : {}),
    oid: user.id,
    preferred_username: user.userPrincipalName,
    rh: randomId(24),
    sid: grant.sessionId ?? randomId(16),
    sub: pairwiseSub(user.id, app.clientId),
    tid: grant.tenantId,
    uti: randomId(16),
    ver: '2.0',
  }
}

function idClaimsV1(
  context: EmulatorContext,
  grant: UserGrant,
  iat: number,
): Record<string, unknown> {
  const { user, app } = grant
  return {
    aud: app.clientId,
    iss: `${context.publicUrl()}/${grant.tenantId}/`,
    iat,
    nbf: iat,
    exp: iat + context.options.idTokenLifetimeSeconds,
    amr: ['pwd'],
    family_name: user.surname,
    given_name: user.givenName,
    ipaddr: '127.0.0.1',
    name: user.displayName,
    ...(grant.nonce !== undefined ? { nonce: grant.nonce } : {}),
    oid: user.id,
    sub: pairwiseSub(user.id, app.clientId),
    tid: grant.tenantId,
    unique_name: user.userPrincipalName,
    upn: user.userPrincipalName,
    ver: '1.0',
  }
}

/** Client credentials: an app-only Graph token with the app's roles; no scope, no id_token (real ESTS shape). */
export async function issueAppToken(
  context: EmulatorContext,
  app: App,
  tenantId: string,
  authMethod: ClientAuthMethod,
  version: 1 | 2,
) {
  const iat = now()
  const lifetime = context.options.accessTokenLifetimeSeconds
  const sp = servicePrincipalId(app.clientId)
  const claims: AccessTokenClaims = {
    aud: GRAPH_RESOURCE,
    iss: `${context.publicUrl()}/${tenantId}/`,
    iat,
    nbf: iat,
    exp: iat + lifetime,
    aio: randomId(40),
    app_displayname: app.displayName,
    appid: app.clientId,
    appidacr: appidacr(authMethod),
    idp: `${context.publicUrl()}/${tenantId}/`,
    idtyp: 'app',
    oid: sp,
    rh: randomId(24),
    ...(app.appRoles.length ? { roles: [...app.appRoles] } : {}),
    sub: sp,
    tenant_region_scope: 'WW',
    tid: tenantId,
    uti: randomId(16),
    ver: '1.0',
    xms_idrel: '7 2',
    xms_tcdt: 1700000000,
  }
  const accessToken = await context.signer.signAccessToken(claims)
  return version === 2
    ? {
        token_type: 'Bearer',
        expires_in: lifetime,
        ext_expires_in: lifetime,
        access_token: accessToken,
      }
    : {
        token_type: 'Bearer',
        expires_in: String(lifetime),
        ext_expires_in: String(lifetime),
        expires_on: String(iat + lifetime),
        not_before: String(iat),
        resource: GRAPH_RESOURCE,
        access_token: accessToken,
      }
}
