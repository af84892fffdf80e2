/**
 * `createPublicClient`: msal-node's PublicClientApplication for the command line — sign-in by device code or in the
 * browser (authorization code + PKCE on a loopback redirect), then silent tokens — over our network client and one
 * token cache handed in by the caller; `cachedTokens` reads what such a cache holds. msal-node is pinned exactly
 * (its PR #8836 would remove PublicClientApplication: docs/CLI.md has the plan).
 */
import type { AuthenticationResult, ICachePlugin, PublicClientApplication } from '@azure/msal-node'
import { AuthError } from '../errors.ts'
import type { Logger } from '../logger.ts'
import type { ResolvedAuthority } from './authority.ts'
import type { ConnectionAccount } from './connection-store.ts'
import { mapMsalError } from './map-msal-error.ts'
import { loadMsal } from './msal-client.ts'
import { createNetworkClient } from './network-client.ts'

/** Where msal's serialized cache lives between commands (a sealed connection file, for the CLI). */
export interface CacheHolder {
  load(): string | undefined
  save(serialized: string): void
}

export interface PublicClientOptions {
  clientId: string
  authority: ResolvedAuthority
  fetch: typeof fetch
  /** Per request to the identity provider. */
  timeoutMs: number
  cache: CacheHolder
  logger?: Logger
}

/** What the user is told to do: open `verificationUri`, enter `userCode`. */
export interface DeviceCodePrompt {
  userCode: string
  verificationUri: string
  /** The identity provider's own sentence saying both. */
  message: string
  expiresInSeconds: number
}

export interface SignedIn {
  account: ConnectionAccount
  /** As granted. */
  scopes: string[]
  expiresOn: Date | null
}

export interface InteractiveOptions {
  /** Opens the sign-in URL (a browser); it is also the moment to show the URL. */
  openBrowser: (url: string) => Promise<void>
  /** The page the browser shows on the loopback redirect once done (msal's default otherwise). */
  successPage?: string
  errorPage?: string
}

export interface PublicClient {
  signInWithDeviceCode(
    scopes: string[],
    onPrompt: (prompt: DeviceCodePrompt) => void,
  ): Promise<SignedIn>
  signInInteractive(scopes: string[], options: InteractiveOptions): Promise<SignedIn>
  /** A valid access token for the account, refreshed with the refresh token when needed (no user interaction). */
  token(
    account: ConnectionAccount,
    scopes: string[],
  ): Promise<{ accessToken: string; expiresOn: Date | null }>
}

/** A public client over `options.cache`: read before each cache access, saved after a change. */
export async function createPublicClient(options: PublicClientOptions): Promise<PublicClient> {
  const msal = await loadMsal()
  const { authority } = options
  const pca = new msal.PublicClientApplication({
    auth: {
      clientId: options.clientId,
      authority: authority.msalAuthority,
      knownAuthorities: authority.knownAuthorities,
      authorityMetadata: authority.authorityMetadata,
      cloudDiscoveryMetadata: authority.cloudDiscoveryMetadata,
    },
    cache: { cachePlugin: cachePlugin(options.cache) },
    system: {
      networkClient: createNetworkClient(options.fetch, options.timeoutMs),
      loggerOptions: {
        piiLoggingEnabled: false,
        logLevel: msal.LogLevel.Warning,
        loggerCallback: (_level, message) => options.logger?.debug({ msal: message }, 'msal'),
      },
    },
  })
  return {
    signInWithDeviceCode: (scopes, onPrompt) => deviceCode(pca, scopes, onPrompt),
    signInInteractive: (scopes, interactive) => browserSignIn(pca, scopes, interactive),
    token: (account, scopes) => silentToken(pca, account, scopes),
  }
}

function cachePlugin(holder: CacheHolder): ICachePlugin {
  return {
    async beforeCacheAccess(context) {
      const serialized = holder.load()
      if (serialized) context.tokenCache.deserialize(serialized)
    },
    async afterCacheAccess(context) {
      if (context.cacheHasChanged) holder.save(context.tokenCache.serialize())
    },
  }
}

async function deviceCode(
  pca: PublicClientApplication,
  scopes: string[],
  onPrompt: (prompt: DeviceCodePrompt) => void,
): Promise<SignedIn> {
  const result = await pca
    .acquireTokenByDeviceCode({
      scopes,
      deviceCodeCallback: (response) =>
        onPrompt({
          userCode: response.userCode,
          verificationUri: response.verificationUri,
          message: response.message,
          expiresInSeconds: response.expiresIn,
        }),
    })
    .catch((error: unknown) => mapMsalError(error, 'code'))
  return signedIn(result)
}

async function browserSignIn(
  pca: PublicClientApplication,
  scopes: string[],
  options: InteractiveOptions,
): Promise<SignedIn> {
  const result = await pca
    .acquireTokenInteractive({
      scopes,
      openBrowser: options.openBrowser,
      successTemplate: options.successPage,
      errorTemplate: options.errorPage,
    })
    .catch((error: unknown) => mapMsalError(error, 'code'))
  return signedIn(result)
}

async function silentToken(
  pca: PublicClientApplication,
  account: ConnectionAccount,
  scopes: string[],
): Promise<{ accessToken: string; expiresOn: Date | null }> {
  const cached = await pca.getTokenCache().getAccountByHomeId(account.homeAccountId)
  if (!cached)
    throw new AuthError('ERR_AUTH_INTERACTION_REQUIRED', {
      message: `No tokens are kept for ${account.username}`,
    })
  const result = await pca
    .acquireTokenSilent({ account: cached, scopes })
    .catch((error: unknown) => mapMsalError(error, 'silent'))
  return { accessToken: result.accessToken, expiresOn: result.expiresOn }
}

function signedIn(result: AuthenticationResult | null): SignedIn {
  const account = result?.account
  if (!result || !account)
    throw new AuthError('ERR_AUTH_CODE_REJECTED', { message: 'The sign-in returned no account' })
  return {
    account: {
      homeAccountId: account.homeAccountId,
      username: account.username,
      name: account.name ?? account.username,
      tenantId: account.tenantId,
      oid: account.localAccountId,
    },
    scopes: result.scopes,
    expiresOn: result.expiresOn,
  }
}

/** What a serialized msal cache holds: the latest access token's expiry and scopes, and whether a refresh token is kept. */
export function cachedTokens(serialized: string): {
  accessTokenExpiresOn: Date | undefined
  scopes: string[]
  refreshToken: boolean
} {
  if (!serialized) return { accessTokenExpiresOn: undefined, scopes: [], refreshToken: false }
  const cache = JSON.parse(serialized) as {
    AccessToken?: Record<string, { expires_on?: string; target?: string }>
    RefreshToken?: Record<string, unknown>
  }
  const latest = Object.values(cache.AccessToken ?? {}).sort(
    (a, b) => Number(b.expires_on ?? 0) - Number(a.expires_on ?? 0),
  )[0]
  return {
    accessTokenExpiresOn: latest?.expires_on
      ? new Date(Number(latest.expires_on) * 1000)
      : undefined,
    scopes: latest?.target ? latest.target.split(' ').filter(Boolean) : [],
    refreshToken: Object.keys(cache.RefreshToken ?? {}).length > 0,
  }
}
