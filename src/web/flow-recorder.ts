/** `createFlowRecorder`: what the flow inspector notes of one operation: token exchanges and Graph calls, redacted. */
import type { GraphCall, TokenExchange } from '../core/index.ts'

/** One outgoing call as the flow page shows it (secrets redacted, tokens decoded for display). */
export interface HttpCall {
  method: string
  url: string
  status: number
  durationMs: number
  requestId?: string
  headers: Record<string, string>
  /** The form sent: only token exchanges have one. */
  params?: Record<string, string>
  body?: Record<string, unknown>
  claims?: Record<string, Record<string, unknown>>
  error?: string
}

/**
 * Handed to core for one operation (a sign-in, a send): `onTokenExchange` to auth, `onGraphCall` to the Graph
 * client. The calls are kept in order; nothing outlives the recorder.
 */
export interface FlowRecorder {
  readonly calls: readonly HttpCall[]
  readonly onTokenExchange: (exchange: TokenExchange) => void
  readonly onGraphCall: (call: GraphCall) => void
}

const secretParams = new Set([
  'client_secret',
  'client_assertion',
  'code_verifier',
  'refresh_token',
  'password',
])
const tokenFields = new Set(['access_token', 'refresh_token', 'id_token', 'client_info'])

export function createFlowRecorder(): FlowRecorder {
  const calls: HttpCall[] = []
  return {
    calls,
    onTokenExchange: (exchange) => calls.push(tokenCall(exchange)),
    onGraphCall: (call) => calls.push(graphCall(call)),
  }
}

function tokenCall(exchange: TokenExchange): HttpCall {
  const request = new Request(exchange.url, {
    method: exchange.method,
    headers: exchange.headers,
    body: exchange.method === 'POST' ? exchange.body : undefined,
  })
  return {
    method: request.method,
    url: request.url,
    status: exchange.status,
    durationMs: Math.round(exchange.durationMs),
    requestId: exchange.requestId,
    headers: redactHeaders(request.headers),
    params: redactForm(exchange.body),
    ...(exchange.json ? redactTokenResponse(exchange.json) : {}),
  }
}

function graphCall(call: GraphCall): HttpCall {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(call.requestHeaders)) {
    headers[name] =
      name.toLowerCase() === 'authorization' ? value.replace(/^(\w+)\s+.*/, '$1 [redacted]') : value
  }
  return {
    method: call.method,
    url: call.url,
    status: call.status ?? 0,
    durationMs: Math.round(call.durationMs),
    requestId: call.requestId,
    headers,
    ...(call.error ? { error: call.error } : {}),
  }
}

function redactHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {}
  headers.forEach((value, name) => {
    out[name] =
      name === 'authorization'
        ? value.replace(/^(\w+)\s+.*/, '$1 [redacted]')
        : name === 'cookie'
          ? '[redacted]'
          : value
  })
  return out
}

/** A value shown in part: its first characters and its length. */
export function shorten(value: string): string {
  return value.length <= 12 ? '[redacted]' : `${value.slice(0, 6)}…(${value.length} chars)`
}

function redactForm(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of new URLSearchParams(text)) {
    out[name] = secretParams.has(name)
      ? `[redacted, ${value.length} chars]`
      : name === 'code'
        ? shorten(value)
        : value
  }
  return out
}

function redactTokenResponse(body: Record<string, unknown>): Pick<HttpCall, 'body' | 'claims'> {
  const redacted: Record<string, unknown> = {}
  const claims: Record<string, Record<string, unknown>> = {}
  for (const [name, value] of Object.entries(body)) {
    if (tokenFields.has(name) && typeof value === 'string') {
      redacted[name] = `[redacted, ${value.length} chars]`
      const decoded = decodeJwt(value)
      if (decoded) claims[name] = decoded
    } else redacted[name] = value
  }
  return { body: redacted, claims }
}

/** The payload of a JWT (not verified: display only). Opaque tokens give undefined. */
export function decodeJwt(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.')
  if (parts.length !== 3 || !parts[1]) return undefined
  try {
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as unknown
    return payload && typeof payload === 'object' && !Array.isArray(payload)
      ? (payload as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}
