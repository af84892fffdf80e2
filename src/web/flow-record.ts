/** `FlowRecord`: the five steps of a sign-in as the flow page shows them, kept under `flow:<partition>`. */
import { shorten, type HttpCall } from './flow-recorder.ts'

const maxGraphCalls = 20

/** A request as the flow page shows it: where it went and its parameters (secrets shortened or redacted). */
export interface ShownRequest {
  url: string
  params: Record<string, string>
}

/** The token endpoint's answer as the flow page shows it: tokens redacted, their claims decoded. */
export interface ShownTokenResponse {
  status: number
  durationMs: number
  body: Record<string, unknown>
  /** Token field name (id_token, access_token…) → its JWT payload. */
  claims: Record<string, Record<string, unknown>>
}

export interface FlowRecord {
  /** Step 1: the authorize request. */
  authorize?: ShownRequest
  /** Step 2: the callback to the reply URL. */
  callback?: ShownRequest
  /** Step 3: the code (or refresh token) sent to the token endpoint. */
  tokenRequest?: ShownRequest & { method: string }
  /** Step 4: the token endpoint's answer. */
  tokenResponse?: ShownTokenResponse
  /** Step 5: the Graph calls, the last ones only. */
  graph: HttpCall[]
}

/** The store key of a sign-in's record. */
export const flowKey = (partition: string) => `flow:${partition}`

/** The authorize URL split for display; `state` and `nonce` are shortened. */
export function describeAuthorize(url: string): FlowRecord['authorize'] {
  const parsed = new URL(url)
  const params: Record<string, string> = {}
  for (const [name, value] of parsed.searchParams)
    params[name] = name === 'state' || name === 'nonce' ? shorten(value) : value
  return { url: `${parsed.origin}${parsed.pathname}`, params }
}

/** The callback's path and parameters for display; `code` and `state` are shortened. */
export function describeCallback(
  path: string,
  query: Record<string, string>,
): FlowRecord['callback'] {
  const params: Record<string, string> = {}
  for (const [name, value] of Object.entries(query))
    params[name] = name === 'code' || name === 'state' ? shorten(value) : value.slice(0, 300)
  return { url: path, params }
}

/** Folds recorded calls into the record: a token exchange fills steps 3-4, Graph calls go to step 5. */
export function addCalls(
  flow: FlowRecord,
  calls: readonly HttpCall[],
  graphBaseUrl: string,
): FlowRecord {
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
