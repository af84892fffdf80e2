/** Turns a validated message into Graph's message JSON; attachments too big to travel inline are set apart. */
import type { FileAttachment, Message, Recipient } from '@microsoft/microsoft-graph-types'
import { mailLimits } from './mail-limits.ts'
import type { MailAttachment, ParsedMail } from './mail.ts'

export interface ComposedMessage {
  /** The Graph message (camelCase), small attachments inline as fileAttachment. */
  message: Message
  /** Attachments sent after a draft is created: through an upload session (≥ 3 MB) or one POST each. */
  deferredAttachments: MailAttachment[]
}

const recipients = (addresses: readonly string[]): Recipient[] =>
  addresses.map((address) => ({ emailAddress: { address } }))

export function fileAttachment(
  attachment: MailAttachment,
): FileAttachment & { '@odata.type': string } {
  return {
    '@odata.type': '#microsoft.graph.fileAttachment',
    name: attachment.name,
    contentType: attachment.contentType,
    contentBytes: Buffer.from(attachment.bytes).toString('base64'),
  }
}

/** Inline while each attachment is ≤ 3 MB and the inline ones together stay ≤ 3 MB (Graph caps a request at 4 MB). */
export function splitAttachments<T extends { bytes: Uint8Array }>(
  attachments: readonly T[],
): { inline: T[]; deferred: T[] } {
  const inline: T[] = []
  const deferred: T[] = []
  let inlineBytes = 0
  for (const attachment of attachments) {
    const size = attachment.bytes.byteLength
    if (
      size <= mailLimits.inlineAttachmentBytes &&
      inlineBytes + size <= mailLimits.inlineTotalBytes
    ) {
      inline.push(attachment)
      inlineBytes += size
    } else deferred.push(attachment)
  }
  return { inline, deferred }
}

export function composeMessage(parsed: ParsedMail): ComposedMessage {
  const { inline, deferred: deferredAttachments } = splitAttachments(parsed.attachments)
  const message: Message = {
    subject: parsed.subject,
    body: { contentType: parsed.bodyType, content: parsed.body },
    toRecipients: recipients(parsed.to),
    ccRecipients: recipients(parsed.cc),
    bccRecipients: recipients(parsed.bcc),
    importance: parsed.importance,
  }
  if (inline.length) message.attachments = inline.map(fileAttachment)
  return { message, deferredAttachments }
}
