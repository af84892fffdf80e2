/** `createMsalClients`: msal-node ConfidentialClientApplications, a fresh one per operation; `loadMsal`. */
import type * as Msal from '@azure/msal-node'
import type { ConfidentialClientApplication, Configuration, ICachePlugin } from '@azure/msal-node'
import type { ClientCredential } from '../config-identity.ts'
import type { Logger } from '../logger.ts'
import type { ResolvedAuthority } from './authority.ts'
import { createNetworkClient, type TokenExchangeObserver } from './network-client.ts'

export interface MsalClientsOptions {
  clientId: string
  credential: ClientCredential
  authority: ResolvedAuthority
  fetch: typeof fetch
  timeoutMs: number
  logger?: Logger
}

/** A client for one operation, and what its network client saw. */
export interface MsalClient {
  cca: ConfidentialClientApplication
  /** The Retry-After (seconds) of the last failed answer, if it had one. */
  retryAfterSeconds(): number | undefined
}

export interface MsalClients {
  /**
   * A fresh client: with `cachePlugin`, bound to one token-cache partition; `onExchange` is told of its
   * token-endpoint exchanges. The authority's metadata is supplied, so construction makes no network call.
   */
  create(options?: {
    cachePlugin?: ICachePlugin
    onExchange?: TokenExchangeObserver
  }): Promise<MsalClient>
  /** The client that builds authorize URLs, made once: getAuthCodeUrl reads no cache and makes no network call. */
  forUrls(): Promise<ConfidentialClientApplication>
}

/**
 * msal-node is the largest module of the app: it is imported on first use, not before the app listens. `start` calls
 * this once listening, so the first sign-in does not wait for it either (the module loader keeps it).
 */
export function loadMsal(): Promise<typeof Msal> {
  return import('@azure/msal-node')
}

/**
 * A fresh client per operation: nothing of one session's token cache can stay in memory for the next (RE-06). Only
 * the authorize-URL client, which never holds a cache, is shared.
 */
export function createMsalClients(options: MsalClientsOptions): MsalClients {
  let msal: Promise<typeof Msal> | undefined
  let urlClient: Promise<MsalClient> | undefined
  const auth = authOptions(options)
  const create = async (parts: ClientParts = {}) =>
    createClient(await (msal ??= loadMsal()), auth, options, parts)
  return {
    create,
    async forUrls() {
      urlClient ??= create()
      return (await urlClient).cca
    },
  }
}

interface ClientParts {
  cachePlugin?: ICachePlugin
  onExchange?: TokenExchangeObserver
}

/** msal's `auth` options: the app's registration and the resolved authority (so msal makes no discovery call). */
function authOptions(options: MsalClientsOptions): Configuration['auth'] {
  const { authority, credential } = options
  return {
    clientId: options.clientId,
    authority: authority.msalAuthority,
    knownAuthorities: authority.knownAuthorities,
    authorityMetadata: authority.authorityMetadata,
    cloudDiscoveryMetadata: authority.cloudDiscoveryMetadata,
    ...(credential.kind === 'secret'
      ? { clientSecret: credential.secret }
      : {
          clientCertificate: {
            thumbprintSha256: credential.thumbprintSha256,
            privateKey: credential.privateKey,
            x5c: credential.certificate,
          },
        }),
  }
}

function createClient(
  msal: typeof Msal,
  auth: Configuration['auth'],
  options: MsalClientsOptions,
  parts: ClientParts,
): MsalClient {
  let retryAfterSeconds: number | undefined
  const networkClient = createNetworkClient(options.fetch, options.timeoutMs, {
    onResponse(status, headers) {
      const header = headers.get('retry-after')
      retryAfterSeconds =
        status >= 400 && header && /^\d+$/.test(header) ? Number(header) : undefined
    },
    onExchange: parts.onExchange,
  })
  const configuration: Configuration = {
    auth,
    cache: parts.cachePlugin ? { cachePlugin: parts.cachePlugin } : {},
    system: {
      networkClient,
      loggerOptions: {
        piiLoggingEnabled: false,
        logLevel: msal.LogLevel.Warning,
        loggerCallback: (_level, message) => options.logger?.debug({ msal: message }, 'msal'),
      },
    },
  }
  return {
    cca: new msal.ConfidentialClientApplication(configuration),
    retryAfterSeconds: () => retryAfterSeconds,
  }
}
