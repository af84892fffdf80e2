/**
 * Real-hostname mode (protocol-spec §1 "R"): over TLS, requests for login.microsoftonline.com / graph.microsoft.com
 * (hosts entry, Chromium --host-resolver-rules, a test dispatcher) get URLs on that name and that host's endpoints only.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { isControlRequest } from '../control/control-paths.ts'

export const LOGIN_HOST = 'login.microsoftonline.com'
export const GRAPH_HOST = 'graph.microsoft.com'

const GRAPH_PATH = /^\/(v1\.0|beta|api\/v2\.0|oidc)(\/|$)/i // Graph versions, upload sessions, UserInfo

/** The name the request was addressed to, lower-cased, without port ('' without a Host header). */
const hostnameOf = (request: FastifyRequest) => request.hostname.toLowerCase()

/** `https://<Host>` when a TLS request came in on a real Microsoft name, else undefined (use the public URL). */
export function realHostBase(request: FastifyRequest): string | undefined {
  if (request.protocol !== 'https') return undefined
  const hostname = hostnameOf(request)
  return hostname === LOGIN_HOST || hostname === GRAPH_HOST
    ? `https://${request.host.toLowerCase()}`
    : undefined
}

/**
 * Host-based routing on one port: the login name serves everything but Graph, the Graph name serves only Graph (and the
 * control API). Other names (localhost, 127.0.0.1) serve everything, as in plain mode. Registered only with TLS.
 */
export function routeByHost(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const hostname = hostnameOf(request)
    if (hostname !== LOGIN_HOST && hostname !== GRAPH_HOST) return
    const path = request.url.split('?')[0]!
    // The control API is loopback-only anyway; it answers under every name.
    if (isControlRequest(request) || (hostname === GRAPH_HOST) === GRAPH_PATH.test(path)) return
    const message =
      hostname === GRAPH_HOST
        ? `${GRAPH_HOST} serves /v1.0, /beta and /oidc/userinfo; sign-in endpoints are on https://${LOGIN_HOST}.`
        : `${LOGIN_HOST} serves the identity endpoints; Graph is on https://${GRAPH_HOST}.`
    return reply
      .code(404)
      .header('cache-control', 'no-store')
      .send({ error: { code: 'NotFound', message: `Emulator (real-hostname mode): ${message}` } })
  })
}
