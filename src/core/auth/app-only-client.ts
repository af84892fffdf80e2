/**
 * `createAppOnlyClient`: tokens for the app itself (OAuth client credentials, a secret or a certificate), through the
 * same msal clients as the web app (msal-client.ts), with the token cache handed in by the caller.
 */
import type { ClientCredential } from '../config-identity.ts'
import { AuthError } from '../errors.ts'
import type { Logger } from '../logger.ts'
import type { ResolvedAuthority } from './authority.ts'
import { mapMsalError } from './map-msal-error.ts'
import { createMsalClients } from './msal-client.ts'
import type { CacheHolder } from './public-client.ts'

export interface AppOnlyClientOptions {
  clientId: string
  credential: ClientCredential
  authority: ResolvedAuthority
  fetch: typeof fetch
  timeoutMs: number
  cache: CacheHolder
  logger?: Logger
}

export interface AppOnlyClient {
  /** An access token for `scopes` (e.g. https://graph.microsoft.com/.default), from the cache while it is valid. */
  token(
    scopes: string[],
  ): Promise<{ accessToken: string; expiresOn: Date | null; scopes: string[] }>
}

export function createAppOnlyClient(options: AppOnlyClientOptions): AppOnlyClient {
  const clients = createMsalClients(options)
  const { cache } = options
  return {
    async token(scopes) {
      const { cca } = await clients.create({
        cachePlugin: {
          async beforeCacheAccess(context) {
            const serialized = cache.load()
            if (serialized) context.tokenCache.deserialize(serialized)
          },
          async afterCacheAccess(context) {
            if (context.cacheHasChanged) cache.save(context.tokenCache.serialize())
          },
        },
      })
      // The first failure is the identity provider's word (a wrong secret, an unknown app): kept as 'code', so
      // mapMsalError says "refused" rather than "sign in again", which an app cannot do.
      const result = await cca
        .acquireTokenByClientCredential({ scopes })
        .catch((error: unknown) => mapMsalError(error, 'code'))
      if (!result)
        throw new AuthError('ERR_AUTH_UNAVAILABLE', { message: 'The token endpoint gave no token' })
      return { accessToken: result.accessToken, expiresOn: result.expiresOn, scopes: result.scopes }
    },
  }
}
