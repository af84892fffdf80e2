/** `createAccessTokenMemo`: access tokens kept in memory per token-cache partition, checked against the store. */
import { sealedStamp } from './token-cache.ts'

const MARGIN_MS = 5 * 60_000 // a token is kept until 5 minutes before it expires (msal's own renewal offset)

/** A token as msal handed it out, with the account it belongs to. */
export interface MemoToken {
  accessToken: string
  homeAccountId: string
  expiresOn: Date | null
}

export interface AccessTokenMemo {
  /** Marks the start of an acquisition; `keep` ignores what it brings if a forget happened since. */
  begin(): number
  /** Keeps `token` for `partition`, stamped with the sealed entry it came from, unless a forget overlapped `begun`. */
  keep(partition: string, token: MemoToken, sealed: string | undefined, begun: number): void
  /**
   * The kept token when it is `homeAccountId`'s, not near expiry, and from the very entry the store holds now
   * (`sealed`, just read). Anything else is dropped and undefined is returned: the caller asks msal.
   */
  find(partition: string, homeAccountId: string, sealed: string | undefined): string | undefined
  /** Drops the partition's token (after an error of that partition). */
  drop(partition: string): void
  /** Drops the partition's token and voids every acquisition under way (sign-out, another sign-in). */
  forget(partition: string): void
}

interface KeptToken {
  accessToken: string
  homeAccountId: string
  stamp: string
  until: number
}

/**
 * Every send needs an access token: without this memo each one decrypts the partition and runs msal's silent path.
 * A kept token is used only while the partition in the store is still the very entry it came from (its IV and GCM
 * tag), so the store is still read on every acquisition: a forget or a refresh by any instance, and a store error,
 * behave as without the memo (RE-06, SE-05). Least recently used out first beyond `limit` partitions.
 */
export function createAccessTokenMemo(limit = 1_000): AccessTokenMemo {
  const kept = new Map<string, KeptToken>()
  let forgets = 0

  return {
    begin: () => forgets,
    keep(partition, token, sealed, begun) {
      const until = (token.expiresOn?.getTime() ?? 0) - MARGIN_MS
      if (sealed === undefined || until <= Date.now() || forgets !== begun) return
      kept.delete(partition)
      kept.set(partition, {
        accessToken: token.accessToken,
        homeAccountId: token.homeAccountId,
        stamp: sealedStamp(sealed),
        until,
      })
      if (kept.size > limit) kept.delete(kept.keys().next().value!)
    },
    find(partition, homeAccountId, sealed) {
      const hit = kept.get(partition)
      if (!hit) return undefined
      kept.delete(partition)
      if (
        sealed === undefined ||
        hit.homeAccountId !== homeAccountId ||
        hit.stamp !== sealedStamp(sealed) ||
        hit.until <= Date.now()
      )
        return undefined
      kept.set(partition, hit) // most recently used last
      return hit.accessToken
    },
    drop(partition) {
      kept.delete(partition)
    },
    forget(partition) {
      forgets++
      kept.delete(partition)
    },
  }
}
