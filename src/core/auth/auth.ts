/** Sign-in and tokens with msal-node: state, nonce and PKCE; id_token validation; one token-cache partition per session. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type * as Msal from '@azure/msal-node'
import type { Configuration, ICachePlugin } from '@azure/msal-node'
import type { Config } from '../config.ts'
import { AuthError } from '../errors.ts'
import type { Logger } from '../logger.ts'
import type { Store } from '../store/store.ts'
import { issuerMatches, resolveAuthority, type ResolvedAuthority } from './authority.ts'
import { createIdTokenValidator } from './id-token.ts'
import { mapMsalError, parseAadsts } from './map-msal-error.ts'
import { createNetworkClient } from './network-client.ts'
import { accountsIn, createTokenCacheStore, sealedStamp } from './token-cache.ts'

const SIGN_IN_MAX_AGE_MS = 15 * 60_000 // a pending sign-in older than this is refused (codes live ~10 minutes)
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email'])
const UNAVAILABLE_BACKOFF_SECONDS = 5 // after a token-endpoint outage without Retry-After, the partition waits this long
const MAX_BACKOFF_SECONDS = 300
const ACCESS_TOKENS_KEPT = 1_000 // in-memory access tokens, one per partition, least recently used dropped first
const ACCESS_TOKEN_MARGIN_MS = 5 * 60_000 // kept until 5 minutes before expiry (msal's own renewal offset)

/** An access token kept in memory for one partition, valid only while the stored partition is the one it came from. */
interface KeptToken {
  accessToken: string
  homeAccountId: string
  stamp: string
  until: number
}

/** The one-time record kept server-side between beginSignIn and completeSignIn (under its state). */
export interface SignInRecord {
  state: string
  nonce: string
  codeVerifier: string
  /** Unix milliseconds. */
  createdAt: number
}

/** Who signed in. Keyed by homeAccountId (oid.tid), never by name or address. */
export interface SignedInUser {
  homeAccountId: string
  oid: string
  tid: string
  name: string
  /** preferred_username (UPN or address). */
  username: string
  /** The user's address when the token carries one (email, else a preferred_username that is an address). */
  email: string | undefined
}

export interface BeginSignInOptions {
  prompt?: 'login' | 'select_account' | 'consent' | 'none'
  loginHint?: string
}

export interface Auth {
  beginSignIn(options?: BeginSignInOptions): Promise<{ url: string; record: SignInRecord }>
  completeSignIn(
    record: SignInRecord,
    query: Record<string, string>,
    partition: string,
  ): Promise<SignedInUser>
  acquireToken(partition: string, user: SignedInUser): Promise<string>
  forget(partition: string): Promise<void>
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

type AuthConfig = Pick<
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

const random = () => randomBytes(32).toString('base64url') // 256 bits
/** Compares bytes, not characters: a non-ASCII value of the same length in characters is a mismatch, not a throw. */
function sameString(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
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
  const idTokens = createIdTokenValidator({
    jwksUri: authority.metadata.jwks_uri,
    issuer: authority.issuer,
    clientId: config.clientId,
    fetch: fetchImpl,
    timeoutMs: config.idpTimeoutMs,
  })
  const tokenCaches = createTokenCacheStore(
    dependencies.store,
    config.sessionSecret,
    config.session.absoluteSeconds,
  )
  const resourceScopes = config.scopes.filter((scope) => !OIDC_SCOPES.has(scope))
  const silentScopes = resourceScopes.length ? resourceScopes : ['User.Read']
  const logger = dependencies.logger
  const credential =
    config.credential.kind === 'secret'
      ? { clientSecret: config.credential.secret }
      : {
          clientCertificate: {
            thumbprintSha256: config.credential.thumbprintSha256,
            privateKey: config.credential.privateKey,
            x5c: config.credential.certificate,
          },
        }

  // A fresh client per operation: nothing of one session's cache can stay in memory for the next (RE-06). The
  // metadata is supplied, so construction makes no network call.
  async function client(cachePlugin?: ICachePlugin) {
    const { ConfidentialClientApplication, LogLevel } = await loadMsal()
    const retryAfter = { seconds: undefined as number | undefined }
    const network = createNetworkClient(fetchImpl, config.idpTimeoutMs, (status, headers) => {
      const header = headers.get('retry-after')
      retryAfter.seconds =
        status >= 400 && header && /^\d+$/.test(header) ? Number(header) : undefined
    })
    const configuration: Configuration = {
      auth: {
        clientId: config.clientId,
        authority: authority.msalAuthority,
        knownAuthorities: authority.knownAuthorities,
        authorityMetadata: authority.authorityMetadata,
        cloudDiscoveryMetadata: authority.cloudDiscoveryMetadata,
        ...credential,
      },
      cache: cachePlugin ? { cachePlugin } : {},
      system: {
        networkClient: network,
        loggerOptions: {
          piiLoggingEnabled: false,
          logLevel: LogLevel.Warning,
          loggerCallback: (_level, message) => logger?.debug({ msal: message }, 'msal'),
        },
      },
    }
    return { cca: new ConfidentialClientApplication(configuration), retryAfter }
  }

  // getAuthCodeUrl reads no token cache and makes no network call, so one client builds every authorize URL (a fresh
  // client resolves its authority on first use).
  let urlClient: ReturnType<typeof client> | undefined

  const inFlight = new Map<string, Promise<string>>()
  const unavailableUntil = new Map<string, number>()

  // Access tokens in memory, per partition (B3: a send skips decrypting the partition and msal's silent path). A kept
  // token is used only when the partition in the store is still the very entry it came from (its IV and GCM tag), so
  // the store is still read on every acquisition: a forget or a refresh by any instance, and a store error, behave as
  // without it (RE-06, SE-05). Dropped by forget, on any error of its partition, and 5 minutes before the token expires.
  const kept = new Map<string, KeptToken>()
  let forgets = 0 // an acquisition that overlapped a forget keeps nothing

  /** Keeps an access token for `partition`, stamped with the sealed entry it came from, unless a forget overlapped. */
  function keep(
    partition: string,
    token: Omit<KeptToken, 'stamp'>,
    sealed: string | undefined,
    forgetsAtStart: number,
  ): void {
    if (sealed === undefined || token.until <= Date.now() || forgets !== forgetsAtStart) return
    kept.delete(partition)
    kept.set(partition, { ...token, stamp: sealedStamp(sealed) })
    if (kept.size > ACCESS_TOKENS_KEPT) kept.delete(kept.keys().next().value!)
  }

  async function acquireSilently(partition: string, user: SignedInUser): Promise<string> {
    const forgetsAtStart = forgets
    let sealed: string | undefined
    try {
      sealed = await tokenCaches.readSealed(partition)
    } catch (error) {
      kept.delete(partition)
      throw error
    }
    const hit = kept.get(partition)
    if (hit) {
      kept.delete(partition)
      if (
        sealed !== undefined &&
        hit.homeAccountId === user.homeAccountId &&
        hit.stamp === sealedStamp(sealed) &&
        hit.until > Date.now()
      ) {
        kept.set(partition, hit) // most recently used last
        unavailableUntil.delete(partition)
        return hit.accessToken
      }
    }
    let lastSeen = sealed
    const seen = (value: string | undefined) => void (lastSeen = value)
    const { cca, retryAfter } = await client(
      tokenCaches.plugin(partition, user.homeAccountId, { seen, initial: { sealed } }),
    )
    try {
      const account = await cca.getTokenCache().getAccountByHomeId(user.homeAccountId)
      if (!account)
        throw new AuthError('ERR_AUTH_INTERACTION_REQUIRED', {
          message: 'No tokens for this session; sign in again',
        })
      const result = await cca.acquireTokenSilent({ account, scopes: silentScopes })
      if (result.account?.homeAccountId !== user.homeAccountId)
        throw new AuthError('ERR_AUTH_INTERACTION_REQUIRED', {
          message: 'The token belongs to another account',
        })
      unavailableUntil.delete(partition)
      const until = (result.expiresOn?.getTime() ?? 0) - ACCESS_TOKEN_MARGIN_MS
      keep(
        partition,
        { accessToken: result.accessToken, homeAccountId: user.homeAccountId, until },
        lastSeen,
        forgetsAtStart,
      )
      return result.accessToken
    } catch (error) {
      kept.delete(partition)
      try {
        mapMsalError(error, 'silent')
      } catch (mapped) {
        if (mapped instanceof AuthError && mapped.code === 'ERR_AUTH_UNAVAILABLE') {
          const seconds = Math.min(
            retryAfter.seconds ?? UNAVAILABLE_BACKOFF_SECONDS,
            MAX_BACKOFF_SECONDS,
          )
          unavailableUntil.set(partition, Date.now() + seconds * 1000)
          throw new AuthError('ERR_AUTH_UNAVAILABLE', {
            message: mapped.message,
            cause: mapped.cause,
            idpError: mapped.idpError,
            aadsts: mapped.aadsts,
            retryAfterSeconds: seconds,
          })
        }
        throw mapped
      }
    }
  }

  return {
    authority,

    async beginSignIn(options = {}) {
      const record: SignInRecord = {
        state: random(),
        nonce: random(),
        codeVerifier: random(),
        createdAt: Date.now(),
      }
      const codeChallenge = createHash('sha256').update(record.codeVerifier).digest('base64url')
      try {
        urlClient ??= client()
        const url = await (
          await urlClient
        ).cca.getAuthCodeUrl({
          scopes: [...config.scopes],
          redirectUri: config.redirectUri,
          state: record.state,
          nonce: record.nonce,
          codeChallenge,
          codeChallengeMethod: 'S256',
          responseMode: 'query',
          prompt: options.prompt,
          loginHint: options.loginHint,
        })
        return { url, record }
      } catch (error) {
        return mapMsalError(error, 'code')
      }
    },

    async completeSignIn(record, query, partition) {
      if (
        typeof query.state !== 'string' ||
        !sameString(query.state, record.state) ||
        Date.now() - record.createdAt > SIGN_IN_MAX_AGE_MS
      ) {
        throw new AuthError('ERR_AUTH_STATE_INVALID')
      }
      // RFC 9207 §2.4: error responses too; an error from another issuer is not shown as this one's.
      if (
        query.iss !== undefined
          ? !issuerMatches(authority.issuer, query.iss)
          : authority.metadata.authorization_response_iss_parameter_supported === true
      ) {
        throw new AuthError('ERR_AUTH_ISSUER_MISMATCH', {
          message: `The sign-in response names issuer ${query.iss ?? '(none)'}; expected ${authority.issuer}`,
        })
      }
      if (query.error) {
        throw new AuthError('ERR_AUTH_IDP_ERROR', {
          message:
            `The identity provider answered ${query.error}${query.error_description ? `: ${query.error_description.split(/\r?\n/)[0]}` : ''}`.slice(
              0,
              500,
            ),
          idpError: query.error,
          aadsts: parseAadsts(query.error_description) ?? parseAadsts(query.error_uri),
          idpDescription: query.error_description,
        })
      }
      if (!query.code)
        throw new AuthError('ERR_AUTH_CODE_REJECTED', {
          message: 'The sign-in response carries no code',
        })

      const forgetsAtStart = forgets
      const { cca } = await client()
      let result
      try {
        result = await cca.acquireTokenByCode(
          {
            code: query.code,
            redirectUri: config.redirectUri,
            scopes: [...config.scopes],
            codeVerifier: record.codeVerifier,
            state: record.state,
            nonce: record.nonce,
          },
          { code: query.code, state: query.state, client_info: query.client_info },
        )
      } catch (error) {
        mapMsalError(error, 'code')
      }
      if (!result?.idToken || !result.account)
        throw new AuthError('ERR_AUTH_ID_TOKEN_INVALID', {
          message: 'The token response carries no ID token',
        })
      const claims = await idTokens.validate(result.idToken, { nonce: record.nonce })
      const homeAccountId = result.account.homeAccountId
      const serialized = cca.getTokenCache().serialize()
      if (accountsIn(serialized).some((account) => account !== homeAccountId))
        throw new AuthError('ERR_AUTH_ID_TOKEN_INVALID', {
          message: 'The token cache holds another account',
        })
      const sealed = await tokenCaches.write(partition, serialized) // only after every check passed
      // The redeemed access token is the one msal's silent path would find in this cache when it covers the silent
      // scopes: kept, the first acquisition (the photo at sign-in) needs no decrypt, msal client or silent call.
      const granted = new Set(result.scopes.map((scope) => scope.toLowerCase()))
      if (result.accessToken && silentScopes.every((scope) => granted.has(scope.toLowerCase()))) {
        keep(
          partition,
          {
            accessToken: result.accessToken,
            homeAccountId,
            until: (result.expiresOn?.getTime() ?? 0) - ACCESS_TOKEN_MARGIN_MS,
          },
          sealed,
          forgetsAtStart,
        )
      }
      const username = claims.preferred_username ?? result.account.username
      return {
        homeAccountId,
        oid: claims.oid ?? claims.sub!,
        tid: claims.tid!,
        name: claims.name ?? username,
        username,
        email: claims.email ?? (/^[^@\s]+@[^@\s]+$/.test(username) ? username : undefined),
      }
    },

    async acquireToken(partition, user) {
      const until = unavailableUntil.get(partition)
      if (until !== undefined && until > Date.now()) {
        throw new AuthError('ERR_AUTH_UNAVAILABLE', {
          message: 'The token endpoint was unavailable moments ago',
          retryAfterSeconds: Math.ceil((until - Date.now()) / 1000),
        })
      }
      const pending = inFlight.get(partition)
      if (pending) return pending // single flight: concurrent callers share one refresh (RE-05)
      const acquisition = acquireSilently(partition, user).finally(() => inFlight.delete(partition))
      inFlight.set(partition, acquisition)
      return acquisition
    },

    async forget(partition) {
      forgets++
      kept.delete(partition)
      unavailableUntil.delete(partition)
      await tokenCaches.delete(partition)
    },

    logoutUrl() {
      const endpoint =
        authority.metadata.end_session_endpoint ?? `${config.authority}/oauth2/v2.0/logout`
      const url = new URL(endpoint)
      url.searchParams.set('post_logout_redirect_uri', config.postLogoutRedirectUri)
      return url.href
    },
  }
}

// msal-node is the largest module of the app (~150 ms to load): loaded on first use, not before the app listens.
// start.ts preloads it right after listening, so the first sign-in does not wait for it either.
let msal: Promise<typeof Msal> | undefined
export function loadMsal(): Promise<typeof Msal> {
  msal ??= import('@azure/msal-node')
  return msal
}
