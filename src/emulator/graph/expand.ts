/** expandMessage: what `$expand` adds to a single message (its attachments); other names are Graph's 400s. */
import type { FastifyRequest } from 'fastify'
import { GraphError } from './graph-error.ts'
import type { MailStore } from './mail-store.ts'
import type { MessageRecord } from './message-model.ts'
import { attachmentView } from './message-views.ts'
import { isNavigation, unknownPropertyError } from './metadata/graph-types.ts'
import { metadataUrl } from './odata.ts'

/** `$expand=attachments` → `attachments@odata.context` and `attachments` (with their bytes), as Graph answers. */
export function expandMessage(
  request: FastifyRequest,
  mail: MailStore,
  message: MessageRecord,
): Record<string, unknown> {
  const query = request.query as Record<string, string | undefined>
  const key = Object.keys(query).find((name) => /^\$?expand$/i.test(name))
  if (key === undefined) return {}
  const expanded: Record<string, unknown> = {}
  for (const part of String(query[key]).split(',')) {
    const name = part.trim()
    if (name.toLowerCase() !== 'attachments') {
      if (!isNavigation('message', name)) throw unknownPropertyError('message', name)
      throw new GraphError(400, 'BadRequest', `The emulator does not expand '${name}'.`)
    }
    const path = `users('${message.mailbox}')/messages('${message.id}')/attachments`
    expanded['attachments@odata.context'] = metadataUrl(request, path)
    expanded.attachments = mail.attachments(message.id).map((record) => attachmentView(record))
  }
  return expanded
}
