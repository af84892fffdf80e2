/** Graph's JSON views of stored mail: the message, mailFolder and fileAttachment resources. */
import {
  FOLDERS,
  folderId,
  immutableIdOf,
  type AttachmentRecord,
  type MessageBody,
  type MessageFlag,
  type MessageHeader,
  type MessageRecord,
  type Recipient,
} from './message-model.ts'
import { isNavigation, propertyType } from './metadata/graph-types.ts'

/** Graph's message resource, every property. */
export interface GraphMessage {
  '@odata.etag': string
  id: string
  createdDateTime: string
  lastModifiedDateTime: string
  changeKey: string
  categories: string[]
  receivedDateTime: string
  sentDateTime: string
  hasAttachments: boolean
  internetMessageId: string
  subject: string
  bodyPreview: string
  importance: 'low' | 'normal' | 'high'
  parentFolderId: string
  conversationId: string
  conversationIndex: string
  isDeliveryReceiptRequested: boolean
  isReadReceiptRequested: boolean
  isRead: boolean
  isDraft: boolean
  webLink: string
  inferenceClassification: string
  body: MessageBody
  sender: Recipient | null
  from: Recipient | null
  toRecipients: Recipient[]
  ccRecipients: Recipient[]
  bccRecipients: Recipient[]
  replyTo: Recipient[]
  flag: MessageFlag
  internetMessageHeaders?: MessageHeader[]
}

/** Graph's fileAttachment resource; contentBytes (base64) unless listed without them. */
export interface FileAttachment {
  '@odata.type': '#microsoft.graph.fileAttachment'
  '@odata.mediaContentType': string
  id: string
  lastModifiedDateTime: string
  name: string
  contentType: string
  size: number
  isInline: boolean
  contentId: string | null
  contentLocation: null
  contentBytes?: string
}

/** Up to 255 characters of text: tags and entities dropped, whitespace collapsed. */
export function bodyPreview(body: MessageRecord['body']): string {
  const text =
    body.contentType === 'html'
      ? body.content
          .replace(/<(style|script|head)[\s\S]*?<\/\1>/gi, ' ')
          .replace(/<[^>]*>/g, ' ')
          .replace(/&nbsp;/g, ' ')
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>')
          .replace(/&quot;/g, '"')
          .replace(/&amp;/g, '&')
      : body.content
  return text.replace(/\s+/g, ' ').trim().slice(0, 255)
}

/** How a request wants ids: `immutable` under `Prefer: IdType="ImmutableId"`. */
export interface ViewOptions {
  immutable?: boolean
}

/**
 * The Graph message resource; `select` keeps only those properties (plus the etag and id, as Graph does). A meeting
 * request or cancellation is an eventMessage: its `@odata.type` first and its own properties (selectable too).
 */
export function messageView(
  record: MessageRecord,
  webBase: string,
  select?: string[],
  options: ViewOptions = {},
): GraphMessage | Record<string, unknown> {
  const full = fullMessageView(record, webBase)
  const id = options.immutable ? immutableIdOf(record) : record.id
  const meeting = meetingProperties(record)
  if (!select)
    return {
      ...(meeting ? { '@odata.type': record.meeting!['@odata.type'] } : {}),
      ...full,
      id,
      ...meeting,
    }
  const properties = { ...full, ...meeting } as unknown as Record<string, unknown>
  const picked: Record<string, unknown> = meeting
    ? { '@odata.type': record.meeting!['@odata.type'] }
    : {}
  Object.assign(picked, { '@odata.etag': full['@odata.etag'], id })
  for (const name of select) {
    // Navigation properties (attachments, extensions…) come only with $expand; unset collections are empty.
    if (isNavigation('message', name)) continue
    if (name === 'uniqueBody') picked.uniqueBody = record.body
    else picked[name] = properties[name] ?? (propertyType('message', name)?.collection ? [] : null)
  }
  return picked
}

/** The eventMessage (and eventMessageRequest) properties of a meeting message; undefined for other mail. */
function meetingProperties(record: MessageRecord): Record<string, unknown> | undefined {
  const meeting = record.meeting
  if (!meeting) return undefined
  const common = {
    meetingMessageType: meeting.meetingMessageType,
    type: 'singleInstance',
    isOutOfDate: false,
    isAllDay: meeting.isAllDay,
    isDelegated: false,
    startDateTime: meeting.startDateTime,
    endDateTime: meeting.endDateTime,
    location: meeting.location,
    recurrence: null,
  }
  if (meeting['@odata.type'] !== '#microsoft.graph.eventMessageRequest') return common
  return {
    ...common,
    meetingRequestType: 'newMeetingRequest',
    responseRequested: true,
    allowNewTimeProposals: true,
    previousStartDateTime: null,
    previousEndDateTime: null,
    previousLocation: null,
  }
}

/** Every property of the message resource. */
export function fullMessageView(record: MessageRecord, webBase: string): GraphMessage {
  const full: GraphMessage = {
    '@odata.etag': `W/"${record.changeKey}"`,
    id: record.id,
    createdDateTime: record.createdDateTime,
    lastModifiedDateTime: record.lastModifiedDateTime,
    changeKey: record.changeKey,
    categories: record.categories,
    receivedDateTime: record.receivedDateTime,
    sentDateTime: record.sentDateTime,
    hasAttachments: record.hasAttachments,
    internetMessageId: record.internetMessageId,
    subject: record.subject,
    bodyPreview: bodyPreview(record.body),
    importance: record.importance,
    parentFolderId: folderId(record.mailbox, record.folder),
    conversationId: record.conversationId,
    conversationIndex: Buffer.from(record.conversationId.slice(-22), 'base64url').toString(
      'base64',
    ),
    isDeliveryReceiptRequested: false,
    isReadReceiptRequested: false,
    isRead: record.isRead,
    isDraft: record.isDraft,
    webLink: `${webBase}/inbox/${encodeURIComponent(record.mailbox)}/${record.folder}/${encodeURIComponent(record.id)}`,
    inferenceClassification: 'focused',
    body: record.body,
    sender: record.sender,
    from: record.from,
    toRecipients: record.toRecipients,
    ccRecipients: record.ccRecipients,
    bccRecipients: record.bccRecipients,
    replyTo: record.replyTo,
    flag: record.flag,
  }
  if (record.internetMessageHeaders) full.internetMessageHeaders = record.internetMessageHeaders
  return full
}

export function folderView(
  mailbox: string,
  folder: string,
  counts: { total: number; unread: number },
) {
  return {
    id: folderId(mailbox, folder),
    displayName: FOLDERS[folder],
    parentFolderId: folderId(mailbox, 'msgfolderroot'),
    childFolderCount: 0,
    unreadItemCount: counts.unread,
    totalItemCount: counts.total,
    isHidden: false,
  }
}

export function attachmentView(attachment: AttachmentRecord, withBytes = true): FileAttachment {
  return {
    '@odata.type': '#microsoft.graph.fileAttachment',
    '@odata.mediaContentType': attachment.contentType,
    id: attachment.id,
    lastModifiedDateTime: attachment.lastModifiedDateTime,
    name: attachment.name,
    contentType: attachment.contentType,
    size: attachment.size,
    isInline: attachment.isInline,
    contentId: attachment.contentId,
    contentLocation: null,
    ...(withBytes ? { contentBytes: Buffer.from(attachment.bytes).toString('base64') } : {}),
  }
}
