/** `securityEvent`: one structured log line per security decision (SE-12). */
import type { FastifyRequest } from 'fastify'

export type SecurityEvent =
  | 'signin.success'
  | 'signin.rejected'
  | 'signin.failed'
  | 'signout'
  | 'csrf.rejected'
  | 'ratelimit.hit'

/**
 * Writes `event`, `reason`, the client address and the request id (`reqId`, bound by Fastify) as the correlation id.
 * pino encodes every value as JSON, so a CR/LF in a reason cannot forge a line; the logger masks tokens, codes and
 * secrets (core/logger.ts).
 */
export function securityEvent(
  request: FastifyRequest,
  event: SecurityEvent,
  reason: string,
  fields: Record<string, unknown> = {},
): void {
  request.log.info(
    { event, reason: reason.slice(0, 300), ip: request.ip, ...fields },
    `security: ${event}`,
  )
}
