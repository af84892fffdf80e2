/**
 * Outlook's per-mailbox limits (per app id + mailbox): concurrent requests, requests per window, sends per window.
 */
import { throttledError, type GraphError } from './graph-error.ts'

export interface ThrottleLimits {
  /** Outlook: 4 concurrent requests. */
  concurrent: number
  /** Outlook: 10,000 requests per 10 minutes. */
  requestsPer10Min: number
  /** Exchange Online: 30 messages per minute. */
  sendsPerMinute: number
  /** 600; shorter in tests. */
  requestWindowSeconds: number
  /** 60; shorter in tests. */
  sendWindowSeconds: number
}
export type ThrottleSetting = false | Partial<ThrottleLimits>

const OUTLOOK: ThrottleLimits = {
  concurrent: 4,
  requestsPer10Min: 10_000,
  sendsPerMinute: 30,
  requestWindowSeconds: 600,
  sendWindowSeconds: 60,
}

interface Bucket {
  active: number
  requestStart: number
  requests: number
  sendStart: number
  sends: number
}
export interface Admission {
  release(): void
}
/** The admission when throttling is off: nothing to release. */
export const UNLIMITED: Admission = { release: () => {} }

export type Throttle = ReturnType<typeof createThrottle>

export function createThrottle(initial: ThrottleSetting | undefined) {
  let limits: ThrottleLimits | false = OUTLOOK
  const buckets = new Map<string, Bucket>()
  const configure = (setting: ThrottleSetting | undefined) => {
    limits = setting === false ? false : { ...OUTLOOK, ...withoutUndefined(setting ?? {}) }
    buckets.clear()
  }
  configure(initial)

  return {
    configure,
    limits: () => limits,
    reset: () => buckets.clear(),
    /** Admits a request for `key` or returns the 429 to answer; admitted requests must call release() once. */
    enter(key: string, isSend: boolean, now = Date.now()): Admission | GraphError {
      if (!limits) return UNLIMITED
      let bucket = buckets.get(key)
      if (!bucket) {
        bucket = { active: 0, requestStart: now, requests: 0, sendStart: now, sends: 0 }
        buckets.set(key, bucket)
      }
      if (bucket.active >= limits.concurrent) return throttledError(1, true)
      if (now - bucket.requestStart >= limits.requestWindowSeconds * 1000) {
        bucket.requestStart = now
        bucket.requests = 0
      }
      if (bucket.requests >= limits.requestsPer10Min)
        return throttledError(secondsLeft(bucket.requestStart, limits.requestWindowSeconds, now))
      if (isSend) {
        if (now - bucket.sendStart >= limits.sendWindowSeconds * 1000) {
          bucket.sendStart = now
          bucket.sends = 0
        }
        if (bucket.sends >= limits.sendsPerMinute)
          return throttledError(secondsLeft(bucket.sendStart, limits.sendWindowSeconds, now))
        bucket.sends++
      }
      bucket.requests++
      bucket.active++
      let released = false
      const admitted = bucket
      return {
        release() {
          if (released) return
          released = true
          admitted.active--
        },
      }
    },
  }
}

const secondsLeft = (start: number, windowSeconds: number, now: number) =>
  Math.max(1, Math.ceil((start + windowSeconds * 1000 - now) / 1000))

function withoutUndefined(setting: Partial<ThrottleLimits>): Partial<ThrottleLimits> {
  return Object.fromEntries(
    Object.entries(setting).filter(([, value]) => typeof value === 'number' && value >= 0),
  )
}
