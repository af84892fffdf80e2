/** messageActionRoutes: POST …/messages/{id}/move and /copy (201, the message in its new folder). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import { GraphError } from './graph-error.ts'
import { owner } from './graph-request.ts'
import { mailboxRoute } from './mailbox-route.ts'
import { copyMessage, moveMessage } from './message-actions.ts'
import { resolveFolder } from './message-model.ts'
import { findMessage, single } from './message-routes.ts'
import { sendOData } from './odata.ts'

export function messageActionRoutes(scope: FastifyInstance, context: EmulatorContext): void {
  const config = { throttled: 'request' } as const
  for (const action of ['move', 'copy'] as const) {
    const handler = (request: FastifyRequest, reply: FastifyReply) => {
      const message = findMessage(context, owner(request), request)
      const folder = destination(owner(request).id, request.body)
      const result =
        action === 'move'
          ? moveMessage(context, message, folder)
          : copyMessage(context, message, folder)
      return sendOData(reply, single(request, reply, result), 201)
    }
    mailboxRoute(scope, 'POST', `/messages/:id/${action}`, config, handler)
    mailboxRoute(scope, 'POST', `/messages/:id/microsoft.graph.${action}`, config, handler)
  }
}

/** The `destinationId` of a move or copy: a folder id or well-known name of the mailbox. */
function destination(mailbox: string, body: unknown): string {
  const entries = body && typeof body === 'object' ? Object.entries(body) : []
  const raw = entries.find(([key]) => key.toLowerCase() === 'destinationid')?.[1]
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new GraphError(
      400,
      'ErrorInvalidParameter',
      "The value of the parameter 'DestinationId' is empty.",
    )
  }
  const folder = resolveFolder(mailbox, raw.trim())
  if (!folder)
    throw new GraphError(
      404,
      'ErrorItemNotFound',
      'The specified object was not found in the store.',
    )
  return folder
}
