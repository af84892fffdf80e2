/** msal-node's transport over an injectable fetch, with a timeout, so tests, the flow inspector and the emulator see it. */
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node'
import { AuthError } from '../errors.ts'

/**
 * Every msal request goes through `fetchImpl` with a per-request timeout. A 429/5xx (or non-JSON) answer is handed
 * to msal as an OAuth error body carrying the HTTP status, so msal raises a ServerError with `status` set and
 * records its throttle entry, and mapMsalError can tell "unavailable" from "refused".
 */
export function createNetworkClient(
  fetchImpl: typeof fetch,
  timeoutMs: number,
  onResponse?: (status: number, headers: Headers) => void,
): INetworkModule {
  async function send<T>(
    method: 'GET' | 'POST',
    url: string,
    options?: NetworkRequestOptions,
  ): Promise<NetworkResponse<T>> {
    let response: Response
    try {
      response = await fetchImpl(url, {
        method,
        headers: options?.headers,
        body: method === 'POST' ? (options?.body ?? '') : undefined,
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
    onResponse?.(response.status, response.headers)
    const headers: Record<string, string> = {}
    response.headers.forEach((value, name) => {
      headers[name] = value
    })
    const text = await response.text()
    let body: Record<string, unknown> | undefined
    try {
      const parsed: unknown = JSON.parse(text)
      if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>
    } catch {
      body = undefined
    }
    const failed = response.status === 429 || response.status >= 500
    if (failed || (response.status >= 400 && !body)) {
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
            : `HTTP ${response.status} from ${new URL(url).pathname}`,
      }
    }
    if (!body)
      body = {
        error: 'invalid_response',
        error_description: `The answer of ${new URL(url).pathname} is not JSON`,
      }
    if (body.error) body.status = response.status
    return { headers, body: body as T, status: response.status }
  }
  return {
    sendGetRequestAsync: (url, options) => send('GET', url, options),
    sendPostRequestAsync: (url, options) => send('POST', url, options),
  }
}
