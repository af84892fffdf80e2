/** GET /_emulator/mailboxes and /_emulator/mailboxes/{mailbox}/messages: every mailbox, read without Graph's scopes. */
import { extendedPropertiesView } from '../graph/extended-properties.ts'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import { EXTERNAL, FOLDERS, type MessageRecord } from '../graph/message-model.ts'
import {
  attachmentView,
  fullMessageView,
  type FileAttachment,
  type GraphMessage,
} from '../graph/message-views.ts'
import { ControlError } from './control-error.ts'

/** A mailbox (a tenant user, or `external`) with its folders' counts. */
export interface MailboxSummary {
  id: string
  userPrincipalName: string
  displayName: string
  folders: Record<string, FolderCount>
}
export interface FolderCount {
  total: number
  unread: number
}

/** Graph's message resource, plus where it is kept and its attachments with their bytes. */
export interface MailboxMessage extends GraphMessage {
  folder: string
  mailbox: string
  attachments: FileAttachment[]
  /** Its single-value extended properties (`[]` when none): Graph answers them only when expanded, this always. */
  singleValueExtendedProperties: { id: string; value: string }[]
}

const NEWEST_FIRST = { field: 'receivedDateTime', descending: true } as const
const ALL = 100_000

export function mailboxRoutes(app: FastifyInstance, context: EmulatorContext): void {
  const { directory, mail } = context

  app.get('/mailboxes', async (): Promise<{ mailboxes: MailboxSummary[] }> => {
    const mailboxes = [
      ...directory.listUsers().map(({ id, userPrincipalName, displayName }) => ({
        id,
        userPrincipalName,
        displayName,
      })),
      { id: EXTERNAL, userPrincipalName: EXTERNAL, displayName: 'External recipients' },
    ]
    return {
      mailboxes: mailboxes.map((mailbox) => ({
        ...mailbox,
        folders: Object.fromEntries(mail.counts(mailbox.id)),
      })),
    }
  })

  app.get<{ Params: { mailbox: string }; Querystring: { folder?: string } }>(
    '/mailboxes/:mailbox/messages',
    async (request) => {
      const { mailbox } = request.params
      const folder = request.query.folder?.toLowerCase()
      if (folder !== undefined && !FOLDERS[folder])
        throw new ControlError(
          400,
          'InvalidFolder',
          `Unknown folder '${folder}'; use one of ${Object.keys(FOLDERS).join(', ')}.`,
        )
      const user = directory.findUser(mailbox)
      const outside = !user && mailbox.includes('@')
      if (!user && !outside && mailbox.toLowerCase() !== EXTERNAL)
        throw new ControlError(404, 'MailboxNotFound', `No mailbox '${mailbox}'.`)
      const key = user ? user.id : EXTERNAL
      let messages = mail.list(key, folder, NEWEST_FIRST, ALL, 0)
      // An address outside the tenant: the External outbox, narrowed to mail addressed to it.
      if (outside) messages = messages.filter((message) => addressedTo(message, mailbox))
      return { mailbox: key, value: messages.map((message) => fullMessage(request, message)) }
    },
  )

  /** Graph's message resource plus where it is kept, with its attachments (and their bytes). */
  function fullMessage(request: FastifyRequest, message: MessageRecord): MailboxMessage {
    const attachments = mail.attachments(message.id).map((attachment) => attachmentView(attachment))
    return {
      ...fullMessageView(message, `${request.protocol}://${request.host}`),
      folder: message.folder,
      mailbox: message.mailbox,
      attachments,
      singleValueExtendedProperties: extendedPropertiesView(message, null),
    }
  }
}

function addressedTo(message: MessageRecord, address: string): boolean {
  const wanted = address.toLowerCase()
  return [...message.toRecipients, ...message.ccRecipients, ...message.bccRecipients].some(
    (recipient) => recipient.emailAddress.address.toLowerCase() === wanted,
  )
}
