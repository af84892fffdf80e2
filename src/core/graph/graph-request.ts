/** One Graph call with the retry policy: reads retry 429/503/504 and lost answers; writes retry only 429. */
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { GraphError } from '../errors.ts'
import {
  graphErrorFromFailure,
  graphErrorFromResponse,
  parseRetryAfter,
  type GraphRequestInfo,
} from './graph-error.ts'

const MAX_RETRIES = 3
const BACKOFF_BASE_MS = 500 // without Retry-After: full jitter over 0.5 s, 1 s, 2 s

/** What the flow inspector and the logs see of each attempt (Authorization never included). */
export interface GraphCall {
  method: string
  url: string
  /** As sent, the Authorization header as `Bearer [redacted]`. */
  requestHeaders: Record<string, string>
  /** Undefined when no answer came (a timeout, a reset). */
  status: number | undefined
  /** Graph's `request-id` answer header, the reference Microsoft support asks for. */
  requestId: string | undefined
  /** Ours, the same on every attempt of one call. */
  clientRequestId: string
  durationMs: number
  /** 1 for the first try, then one more per retry. */
  attempt: number
  /** The failure's code (ERR_GRAPH_…) when the attempt failed. */
  error?: string
}

export interface GraphTransport {
  fetch: typeof fetch
  token: (() => Promise<string>) | undefined
  timeoutMs: number
  retryBudgetMs: number
  onCall?: (call: GraphCall) => void
}

export interface GraphRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  url: string
  body?: string | Uint8Array<ArrayBuffer>
  headers?: Record<string, string>
  /** 'idempotent': 429/503/504, timeouts and resets are retried. 'throttle-only': only 429 is retried. */
  retry: 'idempotent' | 'throttle-only'
  /** The call may take effect even when its answer is lost (sendMail): such failures are ERR_GRAPH_OUTCOME_UNKNOWN. */
  nonIdempotent?: boolean
  /** Pre-authenticated URLs (upload sessions) get no Authorization header. */
  anonymous?: boolean
}

const RETRYABLE = new Set([429, 503, 504])

/** Sends the request under the retry policy and returns the first 2xx response (any 2xx is success). */
export async function graphRequest(
  transport: GraphTransport,
  request: GraphRequest,
): Promise<Response> {
  const info: GraphRequestInfo = {
    method: request.method,
    url: request.url,
    clientRequestId: randomUUID(), // the same id on every attempt, as Graph's SDK does
    nonIdempotent: request.nonIdempotent ?? false,
  }
  const deadline = Date.now() + transport.retryBudgetMs
  for (let attempt = 1; ; attempt++) {
    const outcome = await sendOnce(transport, request, info, attempt)
    if (outcome.ok) return outcome.response
    const { failure, status } = outcome
    if (!isRetryable(request.retry, status) || attempt > MAX_RETRIES) throw failure
    const waitMs =
      failure.retryAfterSeconds !== undefined
        ? failure.retryAfterSeconds * 1000
        : Math.random() * BACKOFF_BASE_MS * 2 ** (attempt - 1)
    if (Date.now() + waitMs > deadline) throw failure // fail fast: waiting would exceed the budget
    await sleep(waitMs)
  }
}

/** One attempt: a 2xx response, or the failure with the status that caused it (none when no answer came). */
type Attempt =
  | {
      ok: true
      response: Response
    }
  | {
      ok: false
      failure: GraphError
      status: number | undefined
    }

/** Sends one attempt with a fresh token and tells `onCall` about it, whatever its outcome. */
async function sendOnce(
  transport: GraphTransport,
  request: GraphRequest,
  info: GraphRequestInfo,
  attempt: number,
): Promise<Attempt> {
  const headers: Record<string, string> = {
    'client-request-id': info.clientRequestId,
    ...request.headers,
  }
  const started = performance.now()
  const call: GraphCall = {
    method: request.method,
    url: request.url,
    requestHeaders: { ...headers },
    status: undefined,
    requestId: undefined,
    clientRequestId: info.clientRequestId,
    durationMs: 0,
    attempt,
  }
  if (!request.anonymous && transport.token) {
    headers.authorization = `Bearer ${await transport.token()}`
    call.requestHeaders.authorization = 'Bearer [redacted]'
  }
  const outcome = await fetchOnce(transport, request, headers, info, call)
  call.durationMs = Math.round(performance.now() - started)
  if (!outcome.ok) call.error = outcome.failure.code
  transport.onCall?.(call)
  return outcome
}

/** The fetch of one attempt; the answer's status and request id are noted in `call`. */
async function fetchOnce(
  transport: GraphTransport,
  request: GraphRequest,
  headers: Record<string, string>,
  info: GraphRequestInfo,
  call: GraphCall,
): Promise<Attempt> {
  let response: Response | undefined
  try {
    response = await transport.fetch(request.url, {
      method: request.method,
      headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(transport.timeoutMs),
    })
    call.status = response.status
    call.requestId = response.headers.get('request-id') ?? undefined
    if (response.status >= 200 && response.status < 300) return { ok: true, response }
    const failure = await graphErrorFromResponse(response, info)
    return { ok: false, failure, status: response.status }
  } catch (error) {
    return { ok: false, failure: graphErrorFromFailure(error, info), status: response?.status }
  }
}

/** Reads retry 429/503/504 and lost answers; writes retry only 429. */
function isRetryable(retry: GraphRequest['retry'], status: number | undefined): boolean {
  if (retry === 'throttle-only') return status === 429
  return status === undefined || RETRYABLE.has(status)
}

export { parseRetryAfter }
