/** `createHttpFetch`: the `fetch` of the app's outgoing calls (token endpoint, keys, Graph) over node:http(s). */
import type { Agent, IncomingMessage } from 'node:http'

// Not `import … from 'node:http'`: an ES import of node:http builds its module namespace by reading every export,
// and the lazy `WebSocket`/`MessageEvent` getters among them would load the bundled undici at every start.
const { Agent: HttpAgent, request: httpRequest } = process.getBuiltinModule('node:http')
const { Agent: HttpsAgent, request: httpsRequest } = process.getBuiltinModule('node:https')

const IDLE_SOCKET_MS = 4000
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304])

/**
 * A `fetch` with keep-alive agents: the same WHATWG shapes in and out (a real `Response`) and the same failures
 * (`TypeError('fetch failed')` with the socket error as `cause`; the signal's reason on abort), for less CPU per call
 * than the platform fetch, which matters on the sign-in and send paths.
 *
 * The subset the app uses: `redirect: 'manual'`; a string, bytes or URLSearchParams body. Anything else (a redirect
 * to follow, a stream, a FormData or Blob body, a Request object) goes to `platformFetch` unchanged. No compression is
 * asked for (identity answers); idle sockets close after a few seconds (or the server's Keep-Alive hint), as undici
 * does.
 */
export function createHttpFetch(platformFetch: typeof fetch = globalThis.fetch): typeof fetch {
  const agents = {
    'http:': new HttpAgent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
    'https:': new HttpsAgent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
  }

  return function httpFetch(input, init = {}) {
    const body = requestBody(init.body)
    if (
      (typeof input !== 'string' && !(input instanceof URL)) ||
      init.redirect !== 'manual' ||
      body === unsupported
    ) {
      return platformFetch(input, init)
    }
    const url = typeof input === 'string' ? new URL(input) : input
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return platformFetch(input, init)
    const method = (init.method ?? 'GET').toUpperCase()
    return send(url, {
      method,
      headers: requestHeaders(init, method, body),
      body,
      signal: init.signal ?? undefined,
      agent: agents[url.protocol],
    })
  }
}

/** One request as node:http takes it. */
interface Outgoing {
  method: string
  headers: Record<string, string>
  body: Uint8Array | undefined
  signal: AbortSignal | undefined
  agent: Agent
}

/** Sends the request and resolves with the whole answer; fails as the platform fetch does. */
function send(url: URL, outgoing: Outgoing): Promise<Response> {
  const { method, signal } = outgoing
  return new Promise<Response>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      method,
      headers: outgoing.headers,
      agent: outgoing.agent,
    })
    const onAbort = () => {
      request.destroy()
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    const settle = () => signal?.removeEventListener('abort', onAbort)
    const fail = (error: unknown) => {
      settle()
      reject(new TypeError('fetch failed', { cause: error }))
    }
    request.on('error', fail)
    request.on('response', (answer: IncomingMessage) => {
      const chunks: Buffer[] = []
      answer.on('data', (chunk: Buffer) => chunks.push(chunk))
      answer.on('error', fail)
      answer.on('end', () => {
        settle()
        try {
          resolve(toResponse(answer, method, chunks))
        } catch (error) {
          fail(error)
        }
      })
    })
    request.end(outgoing.body)
  })
}

/** The caller's headers, lower-cased, with the defaults the platform fetch adds. */
function requestHeaders(
  init: RequestInit,
  method: string,
  body: Uint8Array | undefined,
): Record<string, string> {
  const headers = headerObject(init.headers)
  if (body !== undefined) {
    if (!('content-type' in headers) && typeof init.body === 'string')
      headers['content-type'] = 'text/plain;charset=UTF-8'
    if (!('content-type' in headers) && init.body instanceof URLSearchParams)
      headers['content-type'] = 'application/x-www-form-urlencoded;charset=UTF-8'
    headers['content-length'] = String(body.byteLength)
  } else if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
    headers['content-length'] = '0'
  }
  headers.accept ??= '*/*'
  headers['user-agent'] ??= 'node'
  return headers
}

function toResponse(answer: IncomingMessage, method: string, chunks: Buffer[]): Response {
  const status = answer.statusCode ?? 0
  const content = NULL_BODY_STATUSES.has(status) || method === 'HEAD' ? null : Buffer.concat(chunks)
  return new Response(content, {
    status,
    statusText: answer.statusMessage,
    headers: responseHeaders(answer.rawHeaders),
  })
}

const unsupported = Symbol('unsupported body')

function requestBody(body: RequestInit['body']): Uint8Array | undefined | typeof unsupported {
  if (body === undefined || body === null) return undefined
  if (typeof body === 'string') return Buffer.from(body)
  if (body instanceof URLSearchParams) return Buffer.from(body.toString())
  if (body instanceof Uint8Array) return body
  if (body instanceof ArrayBuffer) return new Uint8Array(body)
  return unsupported
}

function headerObject(init: HeadersInit | undefined): Record<string, string> {
  const headers: Record<string, string> = {}
  if (!init) return headers
  if (init instanceof Headers || Array.isArray(init)) {
    for (const [name, value] of init instanceof Headers ? init.entries() : init) {
      const key = name.toLowerCase()
      headers[key] = key in headers ? `${headers[key]}, ${value}` : value
    }
  } else {
    for (const name of Object.keys(init)) headers[name.toLowerCase()] = String(init[name])
  }
  return headers
}

function responseHeaders(raw: string[]): Headers {
  const headers = new Headers()
  for (let index = 0; index < raw.length; index += 2) headers.append(raw[index]!, raw[index + 1]!)
  return headers
}
