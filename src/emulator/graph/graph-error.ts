/**
 * Graph's error envelope and response headers: {"error":{"code","message","innerError":{date,request-id,client-request-id}}}.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'

/** Content type of Graph's OData JSON responses; clients split on `;`, so `application/json` stays first. */
export const ODATA_JSON =
  'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8'
const DIAGNOSTIC = JSON.stringify({
  ServerInfo: {
    DataCenter: 'Emulator',
    Slice: 'E',
    Ring: '0',
    ScaleUnit: '000',
    RoleInstance: 'GRAPH-CONNECT-EMU',
  },
})
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** A Graph error to answer with; thrown by handlers and checks, rendered by the Graph error handler. */
export class GraphError extends Error {
  readonly status: number
  readonly code: string
  readonly headers: Record<string, string>
  readonly inner: Record<string, string>
  constructor(
    status: number,
    code: string,
    message: string,
    headers: Record<string, string> = {},
    inner = {},
  ) {
    super(message)
    this.name = 'GraphError'
    this.status = status
    this.code = code
    this.headers = headers
    this.inner = inner
  }
}

/** The headers Graph puts on every response (Date is added by Node). */
export function setGraphHeaders(request: FastifyRequest, reply: FastifyReply): void {
  const clientRequestId = request.headers['client-request-id']
  reply.header('request-id', request.id)
  reply.header(
    'client-request-id',
    typeof clientRequestId === 'string' && GUID.test(clientRequestId)
      ? clientRequestId
      : request.id,
  )
  reply.header('x-ms-ags-diagnostic', DIAGNOSTIC)
  reply.header('strict-transport-security', 'max-age=31536000')
  reply.header('cache-control', 'no-cache')
}

/** `2025-02-13T10:17:05`: the innerError date format (UTC, no fraction, no zone). */
export const innerDate = (date = new Date()) => date.toISOString().slice(0, 19)

export function errorEnvelope(
  reply: FastifyReply,
  code: string,
  message: string,
  inner: Record<string, string> = {},
) {
  return {
    error: {
      code,
      message,
      innerError: {
        ...inner,
        date: innerDate(),
        'request-id': String(reply.getHeader('request-id') ?? reply.request.id),
        'client-request-id': String(reply.getHeader('client-request-id') ?? reply.request.id),
      },
    },
  }
}

export function sendGraphError(reply: FastifyReply, error: GraphError): FastifyReply {
  if (!reply.hasHeader('request-id')) setGraphHeaders(reply.request, reply)
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value)
  return reply
    .code(error.status)
    .header('content-type', 'application/json')
    .send(JSON.stringify(errorEnvelope(reply, error.code, error.message, error.inner)))
}

/** Graph's own 429 body (TooManyRequests) — Outlook's concurrency one is ApplicationThrottled. */
export function throttledError(retryAfterSeconds: number, concurrency = false): GraphError {
  const headers = { 'retry-after': String(retryAfterSeconds) }
  if (concurrency) {
    return new GraphError(
      429,
      'ApplicationThrottled',
      'Application is over its MailboxConcurrency limit.',
      headers,
    )
  }
  const inner = { code: '429', message: 'Please retry after', status: '429' }
  return new GraphError(429, 'TooManyRequests', 'Please retry again later.', headers, inner)
}

/** Default error for a status (scripted faults without a body, deliver-then-fail). */
export function errorForStatus(status: number): GraphError {
  switch (status) {
    case 429:
      return throttledError(1)
    case 503:
      return new GraphError(
        503,
        'ServiceUnavailable',
        'The service is temporarily unavailable. Please retry later.',
      )
    case 504:
      return new GraphError(
        504,
        'GatewayTimeout',
        'The gateway did not receive a response in time.',
      )
    case 500:
      return new GraphError(500, 'InternalServerError', 'An internal server error occurred.')
    case 502:
      return new GraphError(502, 'BadGateway', 'Bad gateway.')
    case 401:
      return new GraphError(401, 'InvalidAuthenticationToken', 'Access token validation failure.')
    case 403:
      return new GraphError(
        403,
        'ErrorAccessDenied',
        'Access is denied. Check credentials and try again.',
      )
    default:
      return new GraphError(
        status,
        status >= 500 ? 'generalException' : 'BadRequest',
        `Scripted fault ${status}.`,
      )
  }
}
