// The stored message record, the well-known folders, and their Graph JSON views (message, mailFolder, attachment).
import { randomBytes } from 'node:crypto'

export interface EmailAddress {
  name: string
  address: string
}
export interface Recipient {
  emailAddress: EmailAddress
}
export interface MessageRecord {
  id: string
  mailbox: string // a user id, or EXTERNAL
  folder: string // a well-known folder name
  createdDateTime: string
  lastModifiedDateTime: string
  receivedDateTime: string
  sentDateTime: string
  changeKey: string
  subject: string
  body: { contentType: 'text' | 'html'; content: string }
  importance: 'low' | 'normal' | 'high'
  from: Recipient | null
  sender: Recipient | null
  toRecipients: Recipient[]
  ccRecipients: Recipient[]
  bccRecipients: Recipient[]
  replyTo: Recipient[]
  internetMessageId: string
  conversationId: string
  internetMessageHeaders?: { name: string; value: string }[]
  isRead: boolean
  isDraft: boolean
  hasAttachments: boolean
  flag: { flagStatus: string }
  categories: string[]
}
export interface AttachmentRecord {
  id: string
  messageId: string
  name: string
  contentType: string
  size: number
  isInline: boolean
  contentId: string | null
  lastModifiedDateTime: string
  bytes: Uint8Array
}

/** The pseudo-mailbox holding mail sent outside the tenant. */
export const EXTERNAL = 'external'
export const FOLDERS: Record<string, string> = {
  inbox: 'Inbox',
  drafts: 'Drafts',
  sentitems: 'Sent Items',
  deleteditems: 'Deleted Items',
  outbox: 'Outbox',
  junkemail: 'Junk Email',
  archive: 'Archive',
}
export const MESSAGE_PROPERTIES = [
  'id',
  'createdDateTime',
  'lastModifiedDateTime',
  'changeKey',
  'categories',
  'receivedDateTime',
  'sentDateTime',
  'hasAttachments',
  'internetMessageId',
  'subject',
  'bodyPreview',
  'importance',
  'parentFolderId',
  'conversationId',
  'conversationIndex',
  'isDeliveryReceiptRequested',
  'isReadReceiptRequested',
  'isRead',
  'isDraft',
  'webLink',
  'inferenceClassification',
  'body',
  'sender',
  'from',
  'toRecipients',
  'ccRecipients',
  'bccRecipients',
  'replyTo',
  'flag',
  'internetMessageHeaders',
  'uniqueBody',
  'attachments',
]

export const newId = (prefix = 'AAMk') => prefix + randomBytes(33).toString('base64url')
export const newChangeKey = () => 'CQAAABYAAA' + randomBytes(12).toString('base64url')
/** An Internet Message-ID on the tenant's domain, shaped like Exchange's. */
export const newInternetMessageId = (domain: string) =>
  `<${randomBytes(12).toString('hex').toUpperCase()}@${domain}>`

/** Folder ids are opaque to clients but decodable here: no folder table needed. */
export const folderId = (mailbox: string, folder: string) =>
  'AQMk' + Buffer.from(`${mailbox}/${folder}`).toString('base64url')

/** A well-known name (any case) or a folder id of this mailbox → the folder name; undefined if neither. */
export function resolveFolder(mailbox: string, idOrName: string): string | undefined {
  const name = idOrName.toLowerCase()
  if (FOLDERS[name]) return name
  if (!idOrName.startsWith('AQMk')) return undefined
  const [owner, folder] = Buffer.from(idOrName.slice(4), 'base64url').toString().split('/')
  return owner === mailbox && folder && FOLDERS[folder] ? folder : undefined
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

/** The Graph message resource; `select` keeps only those properties (plus the etag and id, as Graph does). */
export function messageView(
  record: MessageRecord,
  webBase: string,
  select?: string[],
): Record<string, unknown> {
  const full: Record<string, unknown> = {
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
  if (!select) return full
  const picked: Record<string, unknown> = { '@odata.etag': full['@odata.etag'], id: record.id }
  for (const name of select)
    if (name !== 'attachments' && name !== 'uniqueBody') picked[name] = full[name] ?? null
  if (select.includes('uniqueBody')) picked.uniqueBody = record.body
  return picked
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

export function attachmentView(
  attachment: AttachmentRecord,
  withBytes = true,
): Record<string, unknown> {
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
