/**
 * `sendParsedMail` sends a validated message: one sendMail, or draft + attachments (upload session when large) + send;
 * `saveParsedDraft` leaves it a draft. `SendOutcome`, `SavedDraft`, `MailGraph`.
 */
import type { Message } from '@microsoft/microsoft-graph-types'
import type { GraphClient } from '../graph/graph-client.ts'
import { composeMessage, fileAttachment } from './compose-message.ts'
import { mailLimits } from './mail-limits.ts'
import type { MailAttachment, ParsedMail } from './mail.ts'
import { withSendKey } from './send-key.ts'

export interface SendOutcome {
  path: 'sendMail' | 'draft'
  recipients: string[]
  /** The draft path: the draft as Graph created it (sendMail gives no id, so there is none on that path). */
  draft?: SavedDraft
}

/** A draft Graph created: its id, and the internetMessageId Graph gave it ('' when it gave none yet). */
export interface SavedDraft {
  id: string
  internetMessageId: string
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

export interface SendOptions {
  /** The send's idempotency key (`SEND_KEY_PROPERTY`), carried by the message on either path: `findSent` finds it. */
  key?: string
}

/**
 * Small messages go in one `POST /me/sendMail` (retried only on 429). With attachments that cannot travel inline, a
 * draft is created, each large attachment is uploaded in ranges, then the draft is sent; if anything fails before the
 * send, the draft is deleted (best effort) and the error says the mail was not sent. Graph always keeps a copy of a
 * sent draft in Sent Items, so `saveToSentItems: false` applies to the sendMail path only.
 */
export async function sendParsedMail(
  graph: MailGraph,
  parsed: ParsedMail,
  options: SendOptions = {},
): Promise<SendOutcome> {
  const recipients = [...parsed.to, ...parsed.cc, ...parsed.bcc]
  const { key } = options
  const tag = (message: Message) => (key === undefined ? message : withSendKey(message, key))
  const { message, deferredAttachments } = composeMessage(parsed)
  if (!deferredAttachments.length) {
    await graph.sendMail(tag(message), parsed.saveToSentItems)
    return { path: 'sendMail', recipients }
  }
  const draft = await saveParsedDraft(graph, parsed, tag)
  await graph.sendDraft(draft.id)
  return { path: 'draft', recipients, draft }
}

/**
 * Creates the message as a draft (small attachments inline) and adds the others (upload sessions for the large
 * ones); nothing is sent. If an attachment fails, the draft is deleted (best effort) and the error propagates.
 * `tag` adds properties to the created message (the send's idempotency key).
 */
export async function saveParsedDraft(
  graph: MailGraph,
  parsed: ParsedMail,
  tag: (message: Message) => Message = (message) => message,
): Promise<SavedDraft> {
  const { message, deferredAttachments } = composeMessage(parsed)
  const draft = await graph.createDraft(tag(message))
  try {
    for (const attachment of deferredAttachments) await attach(graph, draft.id, attachment)
  } catch (error) {
    await graph.deleteMessage(draft.id).catch(() => undefined)
    throw error
  }
  return { id: draft.id, internetMessageId: draft.internetMessageId ?? '' }
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
