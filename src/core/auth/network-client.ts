/** `createNetworkClient`: msal-node's transport over an injectable fetch, with a timeout and observers. */
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node'
import { AuthError } from '../errors.ts'

/**
 * One request msal made to the token endpoint and its answer, as seen on the wire. It carries secrets (the client
 * secret, the code or refresh token in `body`, the tokens in `json`): an observer redacts what it keeps.
 */
export interface TokenExchange {
  method: 'GET' | 'POST'
  url: string
  /** The request headers as msal set them. */
  headers: Record<string, string>
  /** The URL-encoded form sent ('' for a GET). */
  body: string
  status: number
  /** The identity provider's `request-id` header. */
  requestId: string | undefined
  /** From sending the request to the answer's headers. */
  durationMs: number
  /** The answer when it is a JSON object. */
  json: Record<string, unknown> | undefined
}

/** Told of every token-endpoint exchange of one operation (the flow inspector records them). */
export type TokenExchangeObserver = (exchange: TokenExchange) => void

export interface NetworkObservers {
  /** Every answer's status and headers (the caller reads Retry-After from them). */
  onResponse?: (status: number, headers: Headers) => void
  onExchange?: TokenExchangeObserver
}

/**
 * Every msal request goes through `fetchImpl` with a per-request timeout. A 429/5xx (or non-JSON) answer is handed
 * to msal as an OAuth error body carrying the HTTP status, so msal raises a ServerError with `status` set and
 * records its throttle entry, and mapMsalError can tell "unavailable" from "refused".
 */
export function createNetworkClient(
  fetchImpl: typeof fetch,
  timeoutMs: number,
  observers: NetworkObservers = {},
): INetworkModule {
  async function send<T>(
    method: 'GET' | 'POST',
    url: string,
    options?: NetworkRequestOptions,
  ): Promise<NetworkResponse<T>> {
    const body = method === 'POST' ? (options?.body ?? '') : undefined
    const started = performance.now()
    let response: Response
    try {
      response = await fetchImpl(url, {
        method,
        headers: options?.headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      })
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError'
      throw new AuthError('ERR_AUTH_UNAVAILABLE', {
        message: `${method} ${new URL(url).origin}${new URL(url).pathname} ${timedOut ? 'timed out' : 'failed'}`,
        cause: error,
      })
    }
    const durationMs = performance.now() - started
    observers.onResponse?.(response.status, response.headers)
    const headers: Record<string, string> = {}
    response.headers.forEach((value, name) => {
      headers[name] = value
    })
    const json = parseObject(await response.text())
    observers.onExchange?.({
      method,
      url,
      headers: options?.headers ?? {},
      body: body ?? '',
      status: response.status,
      requestId: response.headers.get('request-id') ?? undefined,
      durationMs,
      json,
    })
    return { headers, body: oauthBody(json, response.status, url) as T, status: response.status }
  }
  return {
    sendGetRequestAsync: (url, options) => send('GET', url, options),
    sendPostRequestAsync: (url, options) => send('POST', url, options),
  }
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text)
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** The body msal gets: the answer, or an OAuth error body with the HTTP status when the answer is a failure. */
function oauthBody(
  json: Record<string, unknown> | undefined,
  status: number,
  url: string,
): Record<string, unknown> {
  let body = json
  const failed = status === 429 || status >= 500
  if (failed || (status >= 400 && !body)) {
    body = {
      ...body,
      error:
        typeof body?.error === 'string'
          ? body.error
          : failed
            ? 'temporarily_unavailable'
            : 'invalid_response',
      error_description:
        typeof body?.error_description === 'string'
          ? body.error_description
          : `HTTP ${status} from ${new URL(url).pathname}`,
    }
  }
  if (!body)
    body = {
      error: 'invalid_response',
      error_description: `The answer of ${new URL(url).pathname} is not JSON`,
    }
  if (body.error) body = { ...body, status }
  return body
}
