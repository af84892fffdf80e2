/**
 * `createPaceAdapter`: the limits a worker applies to each mailbox — the configured ones, lowered when Graph throttles
 * anyway (another program uses the mailbox, or the organisation's limits are lower than configured), and raised back
 * step by step as sends go through. Also the back-off before retrying a throttled call: Graph's Retry-After when it
 * gives one, else exponential with full jitter.
 */
import type { MailboxLimits } from './merge-journal.ts'

export interface PaceAdapter {
  /** The limits in effect for `mailbox` now. */
  limits(mailbox: string): MailboxLimits
  /**
   * Graph answered 429 for `mailbox`: lowers its limits (the concurrency one when Outlook named its concurrency
   * limit, else the send rate) and returns how long no request should go there, in ms.
   */
  throttled(mailbox: string, kind: 'concurrency' | 'rate', retryAfterMs: number | undefined): number
  /** A send went through: after ten in a row, the lowered limits come back one step. */
  succeeded(mailbox: string): void
}

/**
 * Sends in a row, without a 429, before a lowered limit is raised one step. With a tenth off per 429 and a tenth back
 * per ten sends, an occasional 429 (a service-wide one, a neighbour's burst) costs little for long, while 429s that
 * keep coming (the organisation's limit is lower than configured) bring the pace down to where they stop.
 */
const RECOVER_AFTER = 10
const BACKOFF_BASE_MS = 1_000
const BACKOFF_MAX_MS = 60_000

/** A hundredth of the window (capped) plus a constant: more than the spread of arrivals of sends started in order. */
const arrivalMargin = (windowMs: number) => Math.ceil(Math.min(1_000, windowMs * 0.01) + 5)

export function createPaceAdapter(
  configured: MailboxLimits,
  random: () => number = Math.random,
): PaceAdapter {
  const state = new Map<string, { limits: MailboxLimits; streak: number; strikes: number }>()
  const of = (mailbox: string) => {
    let entry = state.get(mailbox)
    if (!entry) {
      entry = { limits: { ...configured }, streak: 0, strikes: 0 }
      state.set(mailbox, entry)
    }
    return entry
  }
  return {
    limits: (mailbox) => {
      const { limits } = of(mailbox)
      // The windows are counted here when a send starts; Exchange counts arrivals, a few ms later and not always in
      // the same order. A window a little longer than Exchange's keeps its count within its limit.
      return {
        ...limits,
        sendWindowMs: limits.sendWindowMs + arrivalMargin(limits.sendWindowMs),
        recipientWindowMs: limits.recipientWindowMs + arrivalMargin(limits.recipientWindowMs),
      }
    },
    throttled(mailbox, kind, retryAfterMs) {
      const entry = of(mailbox)
      entry.streak = 0
      entry.strikes++
      const { limits } = entry
      if (kind === 'concurrency') limits.concurrent = Math.max(1, limits.concurrent - 1)
      else limits.sendsPerWindow = Math.max(1, Math.floor(limits.sendsPerWindow * 0.9))
      // Graph's Retry-After is the floor; jitter spreads the workers that were throttled together.
      const backoff = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (entry.strikes - 1))
      return (
        (retryAfterMs ?? backoff) + random() * Math.min(backoff, retryAfterMs ?? backoff) * 0.25
      )
    },
    succeeded(mailbox) {
      const entry = of(mailbox)
      entry.strikes = 0
      if (++entry.streak < RECOVER_AFTER) return
      entry.streak = 0
      const { limits } = entry
      limits.concurrent = Math.min(configured.concurrent, limits.concurrent + 1)
      limits.sendsPerWindow = Math.min(
        configured.sendsPerWindow,
        Math.max(limits.sendsPerWindow + 1, Math.ceil(limits.sendsPerWindow * 1.1)),
      )
    },
  }
}
