/** `createAuth` and the `Auth` interface: sign-in and tokens with msal-node, wired from the modules beside it. */
import type { Config } from '../config.ts'
import type { Logger } from '../logger.ts'
import type { Store } from '../store/store.ts'
import { createAccessTokenMemo } from './access-token-memo.ts'
import { resolveAuthority, type ResolvedAuthority } from './authority.ts'
import { createIdTokenValidator } from './id-token.ts'
import { createMsalClients } from './msal-client.ts'
import type { TokenExchangeObserver } from './network-client.ts'
import {
  createSignIn,
  type BeginSignInOptions,
  type SignedInUser,
  type SignInRecord,
} from './sign-in.ts'
import { createSilentToken } from './silent-token.ts'
import { createTokenCacheStore } from './token-cache.ts'

const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email'])

export interface Auth {
  /**
   * The authorize URL (state, nonce, PKCE S256, response_mode=query) and the record to keep one-time under its
   * state.
   */
  beginSignIn(options?: BeginSignInOptions): Promise<{ url: string; record: SignInRecord }>
  /**
   * Checks the callback (state, iss, error), redeems the code, validates the id_token and writes the partition's token
   * cache, in that order. `onExchange` is told of the token-endpoint exchange.
   */
  completeSignIn(
    record: SignInRecord,
    query: Record<string, string>,
    partition: string,
    onExchange?: TokenExchangeObserver,
  ): Promise<SignedInUser>
  /** A valid access token for the partition's user; `onExchange` is told of a refresh, if one is made. */
  acquireToken(
    partition: string,
    user: SignedInUser,
    onExchange?: TokenExchangeObserver,
  ): Promise<string>
  /** Deletes the partition's token cache (sign-out, a new sign-in). */
  forget(partition: string): Promise<void>
  /** The end-session URL with the post-logout redirect. */
  logoutUrl(): string
  readonly authority: ResolvedAuthority
}

export interface AuthDependencies {
  store: Store
  fetch?: typeof fetch
  logger?: Logger
  /** The authority's OpenID metadata document when the caller already holds it; otherwise it is fetched. */
  metadata?: unknown
}

export type AuthConfig = Pick<
  Config,
  | 'clientId'
  | 'credential'
  | 'authority'
  | 'redirectUri'
  | 'postLogoutRedirectUri'
  | 'scopes'
  | 'sessionSecret'
  | 'idpTimeoutMs'
> & {
  session: Pick<Config['session'], 'absoluteSeconds'>
}

/**
 * Resolves the authority (one metadata fetch, unless given), then signs users in and hands out access tokens.
 * @example const auth = await createAuth(config, { store, logger }); const { url, record } = await auth.beginSignIn()
 */
export async function createAuth(
  config: AuthConfig,
  dependencies: AuthDependencies,
): Promise<Auth> {
  const fetchImpl = dependencies.fetch ?? fetch
  const authority = await resolveAuthority(
    config.authority,
    fetchImpl,
    config.idpTimeoutMs,
    dependencies.metadata,
  )
  const tokenCaches = createTokenCacheStore(
    dependencies.store,
    config.sessionSecret,
    config.session.absoluteSeconds,
  )
  const clients = createMsalClients({
    clientId: config.clientId,
    credential: config.credential,
    authority,
    fetch: fetchImpl,
    timeoutMs: config.idpTimeoutMs,
    logger: dependencies.logger,
  })
  const resourceScopes = config.scopes.filter((scope) => !OIDC_SCOPES.has(scope))
  const silentScopes = resourceScopes.length ? resourceScopes : ['User.Read']
  const memo = createAccessTokenMemo()
  const signIn = createSignIn({
    redirectUri: config.redirectUri,
    scopes: config.scopes,
    silentScopes,
    authority,
    clients,
    idTokens: createIdTokenValidator({
      jwksUri: authority.metadata.jwks_uri,
      issuer: authority.issuer,
      clientId: config.clientId,
      fetch: fetchImpl,
      timeoutMs: config.idpTimeoutMs,
    }),
    tokenCaches,
    memo,
  })
  const silent = createSilentToken({ scopes: silentScopes, clients, tokenCaches, memo })

  return {
    authority,
    beginSignIn: signIn.begin,
    completeSignIn: signIn.complete,
    acquireToken: silent.acquire,
    async forget(partition) {
      memo.forget(partition)
      silent.forget(partition)
      await tokenCaches.delete(partition)
    },
    logoutUrl: () => logoutUrl(authority, config),
  }
}

/** The end-session endpoint (or the authority's v2.0 logout) with the post-logout redirect. */
function logoutUrl(authority: ResolvedAuthority, config: AuthConfig): string {
  const endpoint =
    authority.metadata.end_session_endpoint ?? `${config.authority}/oauth2/v2.0/logout`
  const url = new URL(endpoint)
  url.searchParams.set('post_logout_redirect_uri', config.postLogoutRedirectUri)
  return url.href
}
