/**
 * createRevocations: revoked access tokens by `uti`, persisted in the identity store and mirrored in memory, so that
 * Graph, which keeps verified tokens by string, still refuses a revoked one on its next call with an O(1) lookup.
 */

/** Where revocations persist, so that they survive a restart as the tokens they revoke do. */
export interface RevocationStore {
  put(uti: string, keepSeconds: number): void
  /** The unexpired revocations: [uti, until (epoch ms)]. Read once, at start. */
  load(): Iterable<[string, number]>
}

export interface Revocations {
  /** Revokes the access token with this `uti` for `keepSeconds` (longer than its lifetime). */
  revoke(uti: string, keepSeconds: number): void
  isRevoked(uti: string): boolean
  /** Forgets every revocation in memory (the control reset, which clears the persisted records too). */
  forget(): void
}

/** Expired revocations are swept when this many more have been added since the last sweep. */
const SWEEP_EVERY = 1024

export function createRevocations(store?: RevocationStore): Revocations {
  // uti → until (epoch ms); entries are dropped once past (the token expired long before).
  const revoked = new Map<string, number>(store?.load() ?? [])
  let sweepAt = revoked.size + SWEEP_EVERY
  return {
    revoke(uti, keepSeconds) {
      store?.put(uti, keepSeconds)
      revoked.set(uti, Math.max(Date.now() + keepSeconds * 1000, revoked.get(uti) ?? 0))
      if (revoked.size < sweepAt) return
      const now = Date.now()
      for (const [id, until] of revoked) if (until <= now) revoked.delete(id)
      sweepAt = revoked.size + SWEEP_EVERY
    },
    isRevoked(uti) {
      const until = revoked.get(uti)
      if (until === undefined) return false
      if (until > Date.now()) return true
      revoked.delete(uti)
      return false
    },
    forget() {
      revoked.clear()
      sweepAt = SWEEP_EVERY
    },
  }
}
