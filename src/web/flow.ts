/**
 * The flow inspector's recorder: a fetch wrapper that, inside a request that opted in (AsyncLocalStorage), notes
 * each token and Graph call with secrets redacted. Steps are kept per sign-in under `flow:<partition>`.
 */
import { AsyncLocalStorage } from 'node:async_hooks'

export interface HttpCall {
  method: string
  url: string
  status: number
  durationMs: number
  requestId?: string
  headers: Record<string, string>
  params?: Record<string, string>
  body?: Record<string, unknown>
  claims?: Record<string, Record<string, unknown>>
  error?: string
}

export interface FlowRecord {
  authorize?: { url: string; params: Record<string, string> }
  callback?: { url: string; params: Record<string, string> }
  tokenRequest?: { method: string; url: string; params: Record<string, string> }
  tokenResponse?: {
    status: number
    durationMs: number
    body: Record<string, unknown>
    claims: Record<string, Record<string, unknown>>
  }
  graph: HttpCall[]
}

const recording = new AsyncLocalStorage<HttpCall[]>()
const maxGraphCalls = 20
const secretParams = new Set([
  'client_secret',
  'client_assertion',
  'code_verifier',
  'refresh_token',
  'password',
])
const tokenFields = new Set(['access_token', 'refresh_token', 'id_token', 'client_info'])

/** Runs `work` while collecting the outgoing calls made through a recording fetch; never throws (see `error`). */
export async function withRecording<T>(
  enabled: boolean,
  work: () => Promise<T>,
): Promise<{ result?: T; error?: unknown; calls: HttpCall[] }> {
  const calls: HttpCall[] = []
  try {
    const result = enabled ? await recording.run(calls, work) : await work()
    return { result, calls }
  } catch (error) {
    return { error, calls }
  }
}

/** core's Graph client `onCall`: notes each attempt (headers come redacted by core) inside `withRecording`. */
export function recordGraphCall(call: {
  method: string
  url: string
  requestHeaders: Record<string, string>
  status: number | undefined
  requestId: string | undefined
  durationMs: number
  error?: string
}): void {
  const calls = recording.getStore()
  if (!calls) return
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(call.requestHeaders)) {
    headers[name] =
      name.toLowerCase() === 'authorization' ? value.replace(/^(\w+)\s+.*/, '$1 [redacted]') : value
  }
  calls.push({
    method: call.method,
    url: call.url,
    status: call.status ?? 0,
    durationMs: Math.round(call.durationMs),
    requestId: call.requestId,
    headers,
    ...(call.error ? { error: call.error } : {}),
  })
}

/** Wraps a fetch so token requests made inside `withRecording` are noted. Outside it, a pass-through. */
export function createRecordingFetch(base: typeof fetch = globalThis.fetch): typeof fetch {
  return async function recordingFetch(input, init) {
    const calls = recording.getStore()
    if (!calls) return base(input, init)
    const request = new Request(input, init)
    const started = performance.now()
    const body = init?.body
    const bodyText =
      typeof body === 'string' ? body : body instanceof URLSearchParams ? body.toString() : ''
    if (!isTokenEndpoint(request)) return base(input, init)
    const response = await base(input, init)
    const call: HttpCall = {
      method: request.method,
      url: request.url,
      status: response.status,
      durationMs: Math.round(performance.now() - started),
      requestId: response.headers.get('request-id') ?? undefined,
      headers: redactHeaders(request.headers),
    }
    call.params = redactForm(bodyText)
    const json = await response
      .clone()
      .json()
      .catch(() => undefined)
    if (json && typeof json === 'object')
      Object.assign(call, redactTokenResponse(json as Record<string, unknown>))
    calls.push(call)
    return response
  }
}

function isTokenEndpoint(request: Request): boolean {
  return (
    request.method === 'POST' && /\/oauth2\/(v2\.0\/)?token$/.test(new URL(request.url).pathname)
  )
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

/** The authorize URL split for display; `state` and `nonce` are shortened. */
export function describeAuthorize(url: string): FlowRecord['authorize'] {
  const parsed = new URL(url)
  const params: Record<string, string> = {}
  for (const [name, value] of parsed.searchParams)
    params[name] = name === 'state' || name === 'nonce' ? shorten(value) : value
  return { url: `${parsed.origin}${parsed.pathname}`, params }
}

export function describeCallback(
  path: string,
  query: Record<string, string>,
): FlowRecord['callback'] {
  const params: Record<string, string> = {}
  for (const [name, value] of Object.entries(query))
    params[name] = name === 'code' || name === 'state' ? shorten(value) : value.slice(0, 300)
  return { url: path, params }
}

/** Folds recorded calls into the record: the token exchange fills steps 3-4, Graph calls go to step 5. */
export function addCalls(flow: FlowRecord, calls: HttpCall[], graphBaseUrl: string): FlowRecord {
  for (const call of calls) {
    if (call.params) {
      flow.tokenRequest = { method: call.method, url: call.url, params: call.params }
      flow.tokenResponse = {
        status: call.status,
        durationMs: call.durationMs,
        body: call.body ?? {},
        claims: call.claims ?? {},
      }
    } else if (call.url.startsWith(graphBaseUrl)) {
      flow.graph.push(call)
    }
  }
  flow.graph = flow.graph.slice(-maxGraphCalls)
  return flow
}
