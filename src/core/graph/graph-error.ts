/** The one translator from a failed Graph response (or a failed fetch) to a GraphError. */
import { GraphError, type GraphErrorCode } from '../errors.ts'

export interface GraphRequestInfo {
  method: string
  url: string
  clientRequestId: string
  /** True for calls that may have taken effect when the answer is lost (sendMail, send draft). */
  nonIdempotent: boolean
}

/** Graph's error envelope, as far as it is read. */
interface GraphErrorBody {
  error?: {
    code?: string
    message?: string
    innerError?: {
      'request-id'?: string
    }
  }
}

/** `Retry-After` as seconds (integer or fraction) or an HTTP-date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, seconds)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000)
}

function codeFor(
  status: number,
  graphCode: string | undefined,
  request: GraphRequestInfo,
): GraphErrorCode {
  if (status === 429) return 'ERR_GRAPH_THROTTLED'
  if (status >= 500)
    return request.nonIdempotent ? 'ERR_GRAPH_OUTCOME_UNKNOWN' : 'ERR_GRAPH_UNAVAILABLE'
  if (status === 401) return 'ERR_GRAPH_UNAUTHORIZED'
  if (status === 403) return 'ERR_GRAPH_FORBIDDEN'
  if (status === 404) return 'ERR_GRAPH_NOT_FOUND'
  if (status === 413 || graphCode === 'ErrorMessageSizeExceeded') return 'ERR_GRAPH_TOO_LARGE'
  if (status === 400 && graphCode === 'ErrorInvalidRecipients')
    return 'ERR_GRAPH_INVALID_RECIPIENTS'
  return 'ERR_GRAPH_REQUEST'
}

/**
 * Reads Graph's error envelope `{ error: { code, message, innerError } }` (tolerating any other body) and maps the
 * status: 429 throttled, 5xx unavailable (or outcome unknown for non-idempotent calls), 401/403/404/413, invalid
 * recipients, anything else a request error. The message names `METHOD URL`.
 */
export async function graphErrorFromResponse(
  response: Response,
  request: GraphRequestInfo,
): Promise<GraphError> {
  let body: GraphErrorBody = {}
  try {
    body = JSON.parse(await response.text()) as GraphErrorBody
  } catch {
    // not JSON (a proxy page, an empty body): the status alone decides
  }
  const graphCode = typeof body.error?.code === 'string' ? body.error.code : undefined
  const graphMessage =
    typeof body.error?.message === 'string' ? body.error.message : response.statusText
  const code = codeFor(response.status, graphCode, request)
  return new GraphError(code, {
    message: `${request.method} ${request.url} → ${response.status}${graphCode ? ` ${graphCode}` : ''}: ${graphMessage}`,
    httpStatus: response.status,
    graphCode,
    requestId:
      response.headers.get('request-id') ?? body.error?.innerError?.['request-id'] ?? undefined,
    clientRequestId: request.clientRequestId,
    retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after')),
  })
}

/** A fetch that produced no response: a timeout, a reset, a refused connection. */
export function graphErrorFromFailure(error: unknown, request: GraphRequestInfo): GraphError {
  const timedOut =
    error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')
  const causeCode = (error as { cause?: { code?: string } } | undefined)?.cause?.code
  const neverSent =
    causeCode === 'ECONNREFUSED' || causeCode === 'ENOTFOUND' || causeCode === 'EAI_AGAIN'
  const what = timedOut
    ? 'timed out'
    : `failed (${causeCode ?? (error as Error)?.message ?? 'unknown'})`
  return new GraphError(
    request.nonIdempotent && !neverSent ? 'ERR_GRAPH_OUTCOME_UNKNOWN' : 'ERR_GRAPH_UNAVAILABLE',
    {
      message: `${request.method} ${request.url} ${what}`,
      cause: error,
      clientRequestId: request.clientRequestId,
    },
  )
}
