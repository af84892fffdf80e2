/**
 * createThrottle(setting): Outlook's and Exchange's limits (concurrency, requests, sends, recipients, uploaded bytes)
 * and Entra's token loop detection, each with its window; docs/EMULATOR-CONTROL.md "Limits" gives their sources.
 */
import { GraphError, throttledError } from './graph-error.ts'
import { createRollingWindow, type RollingWindow } from './rolling-window.ts'

export interface ThrottleLimits {
  /** Outlook: 4 concurrent requests per app and mailbox. */
  concurrent: number
  /** Outlook: 10,000 requests per 10 minutes per app and mailbox. */
  requestsPer10Min: number
  /** Exchange Online: 30 messages per minute. */
  sendsPerMinute: number
  /** 600; shorter in tests. */
  requestWindowSeconds: number
  /** 60; shorter in tests. */
  sendWindowSeconds: number
  /** Exchange Online's recipient rate limit: 10,000 recipients per mailbox in a rolling 24 hours. */
  recipientsPerDay: number
  /** 86,400; shorter in tests. */
  recipientWindowSeconds: number
  /** Outlook: 150 MB uploaded (POST, PATCH, PUT bodies) per mailbox in 5 minutes. */
  uploadBytesPer5Min: number
  /** 300; shorter in tests. */
  uploadWindowSeconds: number
  /** Entra's loop detection: the token request after this many identical ones is AADSTS50196; 0 (default) is off. */
  tokenLoopRequests: number
  /** 300 (Entra: 15 identical requests in 5 minutes). */
  tokenLoopWindowSeconds: number
}
export type ThrottleSetting = false | Partial<ThrottleLimits>

/** What a request brings to the limits besides itself. */
export interface Usage {
  /** It sends a message. */
  send?: boolean
  /** It uploads this many bytes into `mailbox` (the body of a POST, PATCH or PUT). */
  upload?: { mailbox: string; bytes: number }
}

export const OUTLOOK: ThrottleLimits = {
  concurrent: 4,
  requestsPer10Min: 10_000,
  sendsPerMinute: 30,
  requestWindowSeconds: 600,
  sendWindowSeconds: 60,
  recipientsPerDay: 10_000,
  recipientWindowSeconds: 86_400,
  uploadBytesPer5Min: 150 * 1024 * 1024,
  uploadWindowSeconds: 300,
  tokenLoopRequests: 0,
  tokenLoopWindowSeconds: 300,
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

/** Outlook's 429 for uploads over its byte budget. */
export const incomingBytesError = (retryAfterSeconds: number) =>
  new GraphError(429, 'ApplicationThrottled', 'Application is over its IncomingBytes limit.', {
    'retry-after': String(retryAfterSeconds),
  })

export type Throttle = ReturnType<typeof createThrottle>

export function createThrottle(initial: ThrottleSetting | undefined) {
  let limits: ThrottleLimits | false = OUTLOOK
  const buckets = new Map<string, Bucket>()
  const recipients = createRollingWindow()
  const uploads = createRollingWindow()
  const tokenRequests = createRollingWindow()
  const clear = () => {
    buckets.clear()
    for (const window of [recipients, uploads, tokenRequests]) window.clear()
  }
  const configure = (setting: ThrottleSetting | undefined) => {
    limits = setting === false ? false : { ...OUTLOOK, ...withoutUndefined(setting ?? {}) }
    clear()
  }
  configure(initial)

  return {
    configure,
    limits: () => limits,
    reset: clear,
    /** Admits a request for `key` (app|mailbox) or returns the 429 to answer; admitted requests release() once. */
    enter(key: string, usage: boolean | Usage = false, now = Date.now()): Admission | GraphError {
      if (!limits) return UNLIMITED
      const { send = false, upload } = typeof usage === 'boolean' ? { send: usage } : usage
      const bucket = bucketOf(buckets, key, now)
      const refusal =
        (bucket.active >= limits.concurrent ? throttledError(1, true) : undefined) ??
        windowRefusal(bucket, limits, send, now) ??
        uploadRefusal(limits, uploads, upload, now)
      if (refusal) return refusal
      if (send) bucket.sends++
      if (upload?.bytes) uploads.add(upload.mailbox, upload.bytes, now)
      bucket.requests++
      bucket.active++
      return admission(bucket)
    },
    /** A chunk PUT to an upload URL: counts against its mailbox's upload budget, or the 429 to answer. */
    upload(mailbox: string, bytes: number, now = Date.now()): GraphError | undefined {
      const refusal = uploadRefusal(limits, uploads, { mailbox, bytes }, now)
      if (!refusal && limits && bytes > 0) uploads.add(mailbox, bytes, now)
      return refusal
    },
    /** True (and counted) while `mailbox` has not reached its recipients of the rolling window. */
    admitRecipients(mailbox: string, count: number, now = Date.now()): boolean {
      if (!limits) return true
      const { recipientsPerDay: limit, recipientWindowSeconds: window } = limits
      if (recipients.total(mailbox, window, now) >= limit) return false
      recipients.add(mailbox, count, now)
      return true
    },
    /** Counts a token request; true when it is one too many of identical requests (AADSTS50196). */
    tokenLoop(signature: string, now = Date.now()): boolean {
      if (!limits || limits.tokenLoopRequests <= 0) return false
      const earlier = tokenRequests.total(signature, limits.tokenLoopWindowSeconds, now)
      tokenRequests.add(signature, 1, now)
      return earlier >= limits.tokenLoopRequests
    },
  }
}

/**
 * Outlook's 429 when the mailbox's upload budget is spent, or undefined; records nothing. Each budget refuses once it
 * is spent (what came before reaches the limit), as Exchange's "over its limit" says: the request that crosses goes.
 */
function uploadRefusal(
  limits: ThrottleLimits | false,
  uploads: RollingWindow,
  upload: Usage['upload'],
  now: number,
): GraphError | undefined {
  if (!limits || !upload || upload.bytes === 0) return undefined
  const { uploadBytesPer5Min: limit, uploadWindowSeconds: window } = limits
  if (uploads.total(upload.mailbox, window, now) < limit) return undefined
  return incomingBytesError(uploads.secondsUntilBelow(upload.mailbox, window, now, limit))
}

function bucketOf(buckets: Map<string, Bucket>, key: string, now: number): Bucket {
  let bucket = buckets.get(key)
  if (!bucket) {
    bucket = { active: 0, requestStart: now, requests: 0, sendStart: now, sends: 0 }
    buckets.set(key, bucket)
  }
  return bucket
}

/** The request and send windows (fixed windows, as Outlook's counters): a 429 with the seconds left, or undefined. */
function windowRefusal(bucket: Bucket, limits: ThrottleLimits, send: boolean, now: number) {
  if (now - bucket.requestStart >= limits.requestWindowSeconds * 1000) {
    bucket.requestStart = now
    bucket.requests = 0
  }
  if (bucket.requests >= limits.requestsPer10Min)
    return throttledError(secondsLeft(bucket.requestStart, limits.requestWindowSeconds, now))
  if (!send) return undefined
  if (now - bucket.sendStart >= limits.sendWindowSeconds * 1000) {
    bucket.sendStart = now
    bucket.sends = 0
  }
  if (bucket.sends >= limits.sendsPerMinute)
    return throttledError(secondsLeft(bucket.sendStart, limits.sendWindowSeconds, now))
  return undefined
}

function admission(bucket: Bucket): Admission {
  let released = false
  return {
    release() {
      if (released) return
      released = true
      bucket.active--
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
