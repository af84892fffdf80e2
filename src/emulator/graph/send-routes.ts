/**
 * POST /me/sendMail (and microsoft.graph.sendMail, /users/{id}/sendMail) and POST /me/messages/{id}/send → 202, empty body.
 */
import type { EmulatorContext } from '../context.ts'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import {
  applyInput,
  checkRecipients,
  newRecord,
  toAttachments,
  type MessageInput,
} from './compose.ts'
import { deliver } from './deliver.ts'
import { GraphError } from './graph-error.ts'
import { owner } from './graph-request.ts'
import { mailboxRoute } from './mailbox-route.ts'
import { parseMime } from './mime.ts'
import { readBody } from './read-body.ts'
import { refusedForRecipientLimit } from './submission-quota.ts'

export function sendRoutes(scope: FastifyInstance, context: EmulatorContext): void {
  const sendMail = (request: FastifyRequest, reply: FastifyReply) => {
    const sender = owner(request)
    const now = new Date().toISOString()
    const { message, saveToSentItems } =
      typeof request.body === 'string' ? parseMime(request.body) : readSendMail(request.body)
    const record = newRecord(sender.id, 'sentitems', now)
    applyInput(record, message, context.directory)
    checkRecipients(record)
    if (refusedForRecipientLimit(context, sender, record)) return accepted(reply)
    const attachments = toAttachments(message.attachments ?? [], record.id, now)
    deliver(context.mail, context.directory, sender, record, attachments, {
      saveToSentItems,
      storedDraft: false,
    })
    return accepted(reply)
  }
  mailboxRoute(scope, 'POST', '/sendMail', { throttled: 'send' }, sendMail)
  mailboxRoute(scope, 'POST', '/microsoft.graph.sendMail', { throttled: 'send' }, sendMail)

  const sendDraft = (request: FastifyRequest, reply: FastifyReply) => {
    const sender = owner(request)
    const { id } = request.params as { id: string }
    const draft = context.mail.get(sender.id, id)
    if (!draft) throw notFound()
    if (!draft.isDraft)
      throw new GraphError(400, 'ErrorInvalidOperation', 'Only draft messages can be sent.')
    checkRecipients(draft)
    if (refusedForRecipientLimit(context, sender, draft)) return accepted(reply)
    deliver(context.mail, context.directory, sender, draft, context.mail.attachments(draft.id), {
      saveToSentItems: true,
      storedDraft: true,
    })
    return accepted(reply)
  }
  mailboxRoute(scope, 'POST', '/messages/:id/send', { throttled: 'send' }, sendDraft)
  mailboxRoute(
    scope,
    'POST',
    '/messages/:id/microsoft.graph.send',
    { throttled: 'send' },
    sendDraft,
  )
}

function readSendMail(body: unknown): { message: MessageInput; saveToSentItems: boolean } {
  const parsed = readBody<{ message?: MessageInput | null; saveToSentItems?: boolean | null }>(
    body ?? {},
    'sendMail',
  )
  if (!parsed.message)
    throw new GraphError(
      400,
      'ErrorInvalidParameter',
      "The value of the parameter 'Message' is empty.",
    )
  return { message: parsed.message, saveToSentItems: parsed.saveToSentItems ?? true }
}

// 202 with an empty body and no JSON content type: graph-client 3 fails to parse an empty JSON 202 [protocol-spec.md B2.1].
const accepted = (reply: FastifyReply) => reply.code(202).header('content-length', '0').send()

export const notFound = () =>
  new GraphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.')
