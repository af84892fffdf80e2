/** Token caches in the Store, one partition per session, encrypted at rest, read fail-closed. */
import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node'
import { AppError } from '../errors.ts'
import type { Store } from '../store/store.ts'
import { createSealer, SEALED_VERSION, type Sealer } from './sealer.ts'

export interface TokenCacheStore {
  read(partition: string): Promise<string | undefined>
  /** The sealed entry as stored (not decrypted); a store error propagates, never "absent". */
  readSealed(partition: string): Promise<string | undefined>
  /** Seals and stores the serialized cache; resolves to the sealed entry as stored. */
  write(partition: string, serialized: string): Promise<string>
  delete(partition: string): Promise<void>
  /** msal cache plugin bound to one partition; `owner` is the only homeAccountId the partition may hold (RE-06). */
  plugin(partition: string, owner: string, options?: PluginOptions): ICachePlugin
}

export interface PluginOptions {
  /** Told every sealed value read or written: the partition as this process last saw it in the store. */
  seen?: (sealed: string | undefined) => void
  /** The sealed value just read, used for the first cache access instead of a second read. */
  initial?: { sealed: string | undefined }
}

/** The stored entry's version: its random IV and GCM tag, different for every write and unforgeable without the key. */
export const sealedStamp = (sealed: string) => sealed.slice(0, SEALED_VERSION.length + 38)

export const tokenCacheKey = (partition: string) => `tokencache:${partition}`

/** The homeAccountIds a serialized msal cache holds. */
export function accountsIn(serialized: string): string[] {
  const accounts =
    (JSON.parse(serialized) as { Account?: Record<string, { home_account_id?: string }> })
      .Account ?? {}
  return [...new Set(Object.values(accounts).map((account) => account.home_account_id ?? ''))]
}

export function createTokenCacheStore(
  store: Store,
  secret: string,
  ttlSeconds: number,
): TokenCacheStore {
  const sealer = createSealer(secret)
  const tokenCaches: TokenCacheStore = {
    read: async (partition) => sealer.open(await tokenCaches.readSealed(partition)),
    readSealed: (partition) => store.get<string>(tokenCacheKey(partition)), // a store error propagates: never "empty"
    async write(partition, serialized) {
      const sealed = sealer.seal(serialized)
      await store.set(tokenCacheKey(partition), sealed, ttlSeconds)
      return sealed
    },
    delete: (partition) => store.delete(tokenCacheKey(partition)),
    plugin: (partition, owner, options = {}) =>
      partitionPlugin(tokenCaches, sealer, partition, owner, options),
  }
  return tokenCaches
}

/** msal's cache plugin for one partition: read before each cache access, written after a change (RE-06). */
function partitionPlugin(
  tokenCaches: TokenCacheStore,
  sealer: Sealer,
  partition: string,
  owner: string,
  options: PluginOptions,
): ICachePlugin {
  let initial = options.initial
  return {
    async beforeCacheAccess(context: TokenCacheContext) {
      const sealed = initial ? initial.sealed : await tokenCaches.readSealed(partition)
      initial = undefined
      const serialized = sealer.open(sealed)
      options.seen?.(sealed)
      if (serialized !== undefined) context.tokenCache.deserialize(serialized)
    },
    async afterCacheAccess(context: TokenCacheContext) {
      if (!context.cacheHasChanged) return
      const serialized = context.tokenCache.serialize()
      const strangers = accountsIn(serialized).filter((account) => account !== owner)
      if (strangers.length)
        throw new AppError('ERR_STORE_UNAVAILABLE', {
          message: 'Refusing to write another account into a token-cache partition',
        })
      options.seen?.(await tokenCaches.write(partition, serialized))
    },
  }
}
