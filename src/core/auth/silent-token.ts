/** `createSilentToken`: access tokens for a signed-in partition, one refresh at a time, backing off after outages. */
import { AuthError } from '../errors.ts'
import type { AccessTokenMemo } from './access-token-memo.ts'
import { mapMsalError } from './map-msal-error.ts'
import type { MsalClients } from './msal-client.ts'
import type { TokenExchangeObserver } from './network-client.ts'
import type { SignedInUser } from './sign-in.ts'
import type { TokenCacheStore } from './token-cache.ts'

// After a token-endpoint outage without Retry-After, the partition waits this long before its next try.
const UNAVAILABLE_BACKOFF_SECONDS = 5
const MAX_BACKOFF_SECONDS = 300

export interface SilentTokenParts {
  /** The resource scopes asked for (never the OpenID ones). */
  scopes: string[]
  clients: MsalClients
  tokenCaches: TokenCacheStore
  memo: AccessTokenMemo
}

export interface SilentToken {
  /** The partition's access token: from the memo, msal's cache, or a refresh (one per partition at a time, RE-05). */
  acquire(
    partition: string,
    user: SignedInUser,
    onExchange?: TokenExchangeObserver,
  ): Promise<string>
  /** Ends the partition's back-off (it is being forgotten). */
  forget(partition: string): void
}

/** The partitions' state besides the token caches: refreshes under way, back-offs after an outage. */
interface SilentState extends SilentTokenParts {
  inFlight: Map<string, Promise<string>>
  unavailableUntil: Map<string, number>
}

export function createSilentToken(parts: SilentTokenParts): SilentToken {
  const state: SilentState = { ...parts, inFlight: new Map(), unavailableUntil: new Map() }
  const { inFlight, unavailableUntil } = state
  return {
    async acquire(partition, user, onExchange) {
      const until = unavailableUntil.get(partition)
      if (until !== undefined && until > Date.now()) {
        throw new AuthError('ERR_AUTH_UNAVAILABLE', {
          message: 'The token endpoint was unavailable moments ago',
          retryAfterSeconds: Math.ceil((until - Date.now()) / 1000),
        })
      }
      const pending = inFlight.get(partition)
      if (pending) return pending // single flight: concurrent callers share one refresh (RE-05)
      const acquisition = acquireSilently(state, partition, user, onExchange).finally(() =>
        inFlight.delete(partition),
      )
      inFlight.set(partition, acquisition)
      return acquisition
    },
    forget(partition) {
      unavailableUntil.delete(partition)
    },
  }
}

/** The memo's token if the stored partition is unchanged, else msal's silent path (its cache, or a refresh). */
async function acquireSilently(
  state: SilentState,
  partition: string,
  user: SignedInUser,
  onExchange: TokenExchangeObserver | undefined,
): Promise<string> {
  const { memo, tokenCaches } = state
  const begun = memo.begin()
  let sealed: string | undefined
  try {
    sealed = await tokenCaches.readSealed(partition)
  } catch (error) {
    memo.drop(partition)
    throw error
  }
  const kept = memo.find(partition, user.homeAccountId, sealed)
  if (kept !== undefined) {
    state.unavailableUntil.delete(partition)
    return kept
  }
  let lastSeen = sealed
  const seen = (value: string | undefined) => void (lastSeen = value)
  const client = await state.clients.create({
    cachePlugin: tokenCaches.plugin(partition, user.homeAccountId, { seen, initial: { sealed } }),
    onExchange,
  })
  try {
    const account = await client.cca.getTokenCache().getAccountByHomeId(user.homeAccountId)
    if (!account)
      throw new AuthError('ERR_AUTH_INTERACTION_REQUIRED', {
        message: 'No tokens for this session; sign in again',
      })
    const result = await client.cca.acquireTokenSilent({ account, scopes: state.scopes })
    if (result.account?.homeAccountId !== user.homeAccountId)
      throw new AuthError('ERR_AUTH_INTERACTION_REQUIRED', {
        message: 'The token belongs to another account',
      })
    state.unavailableUntil.delete(partition)
    const token = {
      accessToken: result.accessToken,
      homeAccountId: user.homeAccountId,
      expiresOn: result.expiresOn,
    }
    memo.keep(partition, token, lastSeen, begun)
    return result.accessToken
  } catch (error) {
    memo.drop(partition)
    throw backOff(state, partition, error, client.retryAfterSeconds())
  }
}

/** The mapped error; an outage also makes the partition wait before its next try. */
function backOff(
  state: SilentState,
  partition: string,
  error: unknown,
  retryAfterSeconds: number | undefined,
): unknown {
  try {
    mapMsalError(error, 'silent')
  } catch (mapped) {
    if (!(mapped instanceof AuthError) || mapped.code !== 'ERR_AUTH_UNAVAILABLE') return mapped
    const seconds = Math.min(retryAfterSeconds ?? UNAVAILABLE_BACKOFF_SECONDS, MAX_BACKOFF_SECONDS)
    state.unavailableUntil.set(partition, Date.now() + seconds * 1000)
    return new AuthError('ERR_AUTH_UNAVAILABLE', {
      message: mapped.message,
      cause: mapped.cause,
      idpError: mapped.idpError,
      aadsts: mapped.aadsts,
      retryAfterSeconds: seconds,
    })
  }
}
