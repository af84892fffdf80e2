/**
 * The answer of a scripted fault, in the wire shape of the path it hits: Graph envelope, OAuth JSON, or plain JSON.
 */
import { randomUUID } from 'node:crypto'
import type { FastifyReply } from 'fastify'
import { errorEnvelope, errorForStatus, setGraphHeaders } from '../graph/graph-error.ts'
import { errorJson, newErrorIds, type OAuthError } from '../identity/oauth-error.ts'
import { loopDetected } from '../identity/token-limits.ts'
import type { FaultAction } from './faults.ts'

/** The AADSTS errors a fault can answer with (`action.aadsts`), as the token endpoint words them. */
export const AADSTS_FAULTS: Record<number, () => OAuthError> = { 50196: loopDetected }

const GRAPH_PATH = /^\/(v1\.0|beta|api\/v2\.0)(\/|$)/i
const IDENTITY_PATH = /\/(oauth2|discovery|v2\.0\/\.well-known|\.well-known)(\/|$)/i

export interface FaultAnswer {
  status: number
  headers: Record<string, string>
  payload: string
}

export function faultAnswer(
  reply: FastifyReply,
  path: string,
  status: number,
  action: FaultAction,
): FaultAnswer {
  const headers: Record<string, string> = { ...action.headers }
  if (action.retryAfter !== undefined) headers['retry-after'] = String(action.retryAfter)
  const graph = GRAPH_PATH.test(path)
  if (graph && !reply.hasHeader('request-id')) setGraphHeaders(reply.request, reply)
  // A success (202 of sendMail, …) has no body: as Graph answers it, empty and without a content type.
  if (action.body === undefined && status >= 200 && status < 300)
    return { status, headers, payload: '' }
  if (action.body !== undefined) {
    const text = typeof action.body === 'string'
    headers['content-type'] ??= text
      ? 'text/plain; charset=utf-8'
      : 'application/json; charset=utf-8'
    return {
      status,
      headers,
      payload: text ? (action.body as string) : JSON.stringify(action.body),
    }
  }
  headers['content-type'] ??= 'application/json; charset=utf-8'
  if (graph) {
    const error = errorForStatus(status)
    return {
      status,
      headers,
      payload: JSON.stringify(errorEnvelope(reply, error.code, error.message, error.inner)),
    }
  }
  if (IDENTITY_PATH.test(path)) {
    const named = action.aadsts === undefined ? undefined : AADSTS_FAULTS[action.aadsts]
    const body = named ? errorJson(named(), newErrorIds()) : oauthError(status)
    return { status, headers, payload: JSON.stringify(body) }
  }
  return {
    status,
    headers,
    payload: JSON.stringify({
      error: { code: `Status${status}`, message: `Scripted fault ${status}.` },
    }),
  }
}

// Entra's error JSON [protocol-spec.md A4.2]: AADSTS code in the description and in error_codes.
function oauthError(status: number) {
  const [error, code, text] =
    status === 429
      ? [
          'temporarily_unavailable',
          90055,
          'There are too many incoming requests. Please retry later.',
        ]
      : status >= 500
        ? ['temporarily_unavailable', 90033, 'A transient error has occurred. Please try again.']
        : ['invalid_request', 900144, 'The request is not valid.']
  const traceId = randomUUID()
  const correlationId = randomUUID()
  const timestamp = new Date()
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z')
  return {
    error,
    error_description: `AADSTS${code}: ${text} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  }
}
