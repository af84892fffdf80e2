/** Sends a validated message: one sendMail, or draft + attachments (upload session when large) + send. */
import type { GraphClient } from '../graph/graph-client.ts'
import { composeMessage, fileAttachment } from './compose-message.ts'
import { mailLimits } from './mail-limits.ts'
import type { MailAttachment, ParsedMail } from './mail.ts'

export interface SendOutcome {
  path: 'sendMail' | 'draft'
  recipients: string[]
}

/** The Graph calls a send may make. */
export type MailGraph = Pick<
  GraphClient,
  | 'sendMail'
  | 'createDraft'
  | 'addAttachment'
  | 'createUploadSession'
  | 'uploadRange'
  | 'sendDraft'
  | 'deleteMessage'
>

/**
 * Small messages go in one `POST /me/sendMail` (retried only on 429). With attachments that cannot travel inline, a
 * draft is created, each large attachment is uploaded in ranges, then the draft is sent; if anything fails before the
 * send, the draft is deleted (best effort) and the error says the mail was not sent. Graph always keeps a copy of a
 * sent draft in Sent Items, so `saveToSentItems: false` applies to the sendMail path only.
 */
export async function sendParsedMail(graph: MailGraph, parsed: ParsedMail): Promise<SendOutcome> {
  const recipients = [...parsed.to, ...parsed.cc, ...parsed.bcc]
  const { message, deferredAttachments } = composeMessage(parsed)
  if (!deferredAttachments.length) {
    await graph.sendMail(message, parsed.saveToSentItems)
    return { path: 'sendMail', recipients }
  }
  const draft = await graph.createDraft(message)
  try {
    for (const attachment of deferredAttachments) await attach(graph, draft.id, attachment)
  } catch (error) {
    await graph.deleteMessage(draft.id).catch(() => undefined)
    throw error
  }
  await graph.sendDraft(draft.id)
  return { path: 'draft', recipients }
}

async function attach(
  graph: MailGraph,
  messageId: string,
  attachment: MailAttachment,
): Promise<void> {
  const total = attachment.bytes.byteLength
  if (total < mailLimits.inlineAttachmentBytes)
    return graph.addAttachment(messageId, fileAttachment(attachment))
  const session = await graph.createUploadSession(messageId, {
    attachmentType: 'file',
    name: attachment.name,
    size: total,
    contentType: attachment.contentType,
  })
  for (let start = 0; start < total; start += mailLimits.uploadChunkBytes) {
    const chunk = attachment.bytes.slice(
      start,
      Math.min(start + mailLimits.uploadChunkBytes, total),
    )
    await graph.uploadRange(session.uploadUrl, chunk as Uint8Array<ArrayBuffer>, start, total)
  }
}
