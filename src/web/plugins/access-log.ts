/** `AccessLog`: Fastify's two request log lines made one, written when the request completes. */
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify'

/**
 * Nothing when a request comes in; one compact line when it completes (method, URL — parameters masked by core's
 * logger —, status, time, reqId); static files and probes at debug. Every other line Fastify writes (errors, stream
 * errors, 404s, shutdown) is kept as is.
 */
export class AccessLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (error) return super.requestCompleted(error, request, reply)
    const url = request.url
    const quiet =
      reply.statusCode < 500 &&
      (url.startsWith('/static/') || url === '/healthz' || url === '/readyz')
    reply.log[quiet ? 'debug' : 'info'](
      { req: request, res: reply, responseTime: Math.round(reply.elapsedTime * 100) / 100 },
      'request completed',
    )
  }
}
