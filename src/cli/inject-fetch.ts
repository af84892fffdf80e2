/** `injectFetch`: a fetch answered by an in-process Fastify (the emulator the CLI started) through inject(), no socket. */
import type { FastifyInstance } from 'fastify'

/** The request keeps its method, path, query, headers (Host from the URL) and body. */
export function injectFetch(fastify: FastifyInstance): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init)
    const url = new URL(request.url)
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined
    const response = await fastify.inject({
      method: request.method as 'GET',
      url: `${url.pathname}${url.search}`,
      headers: { ...Object.fromEntries(request.headers), host: url.host },
      ...(body ? { payload: body } : {}),
    })
    const headers = new Headers()
    for (const [name, value] of Object.entries(response.headers)) {
      if (value === undefined) continue
      for (const item of Array.isArray(value) ? value : [value]) headers.append(name, String(item))
    }
    const empty = [204, 205, 304].includes(response.statusCode) || request.method === 'HEAD'
    return new Response(empty ? null : new Uint8Array(response.rawPayload), {
      status: response.statusCode,
      headers,
    })
  }
}
