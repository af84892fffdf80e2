/** `rateLimit`: fixed one-minute windows in the shared store, so a limit holds across instances (SE-14). */
import type { Store } from '../../core/index.ts'

export type RateLimitResult = { ok: true } | { ok: false; retryAfterSeconds: number }

/** Counts one hit of `key` in the current minute; over `limitPerMinute`, says how long until the next window. */
export async function rateLimit(
  store: Store,
  key: string,
  limitPerMinute: number,
  now = Date.now(),
): Promise<RateLimitResult> {
  const window = Math.floor(now / 60_000)
  const count = await store.increment(`rl:${key}:${window}`, 61)
  if (count <= limitPerMinute) return { ok: true }
  return {
    ok: false,
    retryAfterSeconds: Math.max(1, Math.ceil(((window + 1) * 60_000 - now) / 1000)),
  }
}
