/** loopbackOnly: the control API's guard, run on every routed control request, whatever its URL's encoding. */
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { sendControlError } from './control-error.ts'

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 addresses. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address
  return address === '::1' || v4.startsWith('127.')
}

export function loopbackOnly(
  request: FastifyRequest,
  reply: FastifyReply,
  done: HookHandlerDoneFunction,
): void {
  if (isLoopback(request.socket.remoteAddress)) return done()
  sendControlError(reply, 403, 'Forbidden', 'The control API answers loopback clients only.')
}
