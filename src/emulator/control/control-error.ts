/** ControlError and the control API's error handler: every failure answers `{ error: { code, message } }`. */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'

/** A control API failure: its HTTP status and a PascalCase code (e.g. 400 InvalidFault). */
export class ControlError extends Error {
  readonly status: number
  readonly code: string
  constructor(status: number, code: string, message: string) {
    super(message)
    this.name = 'ControlError'
    this.status = status
    this.code = code
  }
}

export function sendControlError(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
): FastifyReply {
  return reply.code(status).send({ error: { code, message } })
}

/** ControlErrors as thrown; Fastify's own (bad JSON, wrong content type) with their status and code. */
export function controlErrorHandler(
  error: FastifyError | ControlError,
  _request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (error instanceof ControlError)
    return sendControlError(reply, error.status, error.code, error.message)
  return sendControlError(reply, error.statusCode ?? 500, error.code ?? 'Error', error.message)
}

/** A JSON body as an object; anything else (no body, an array, a scalar) reads as an empty one. */
export function objectBody(body: unknown): Record<string, unknown> {
  return body && typeof body === 'object' && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : {}
}
