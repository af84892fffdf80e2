/** Where the control API lives, and how the root hooks recognise a request for it. */
import type { FastifyRequest } from 'fastify'

export const CONTROL_PREFIX = '/_emulator'

/**
 * A request routed to a control route (whatever encoding its URL used), or an unrouted one under the prefix. The routed
 * URL is the route's own pattern, so `/%5Femulator/journal` is recognised as the journal route it reaches.
 */
export function isControlRequest(request: FastifyRequest): boolean {
  const path = request.routeOptions.url ?? request.url
  return path === CONTROL_PREFIX || path.startsWith(`${CONTROL_PREFIX}/`)
}
