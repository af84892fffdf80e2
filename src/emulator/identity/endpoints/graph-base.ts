/**
 * graphBase: where a client that reached this request reaches Graph — the emulator's own base URL, or in real-hostname
 * mode, when it came in as login.microsoftonline.com, https://graph.microsoft.com on the same port (both resolve to the
 * emulator). Discovery documents and UserInfo point there, never off the machine.
 */
import type { FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../../context.ts'
import { GRAPH_HOST, LOGIN_HOST } from '../../tls/real-hosts.ts'

export function graphBase(context: EmulatorContext, request: FastifyRequest): string {
  const publicUrl = context.forRequest(request).publicUrl()
  const url = new URL(publicUrl)
  if (url.hostname !== LOGIN_HOST) return publicUrl
  url.hostname = GRAPH_HOST
  return url.origin
}
