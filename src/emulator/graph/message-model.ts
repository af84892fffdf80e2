/** The stored message and attachment records, the well-known folders, and new ids. */
import { randomBytes } from 'node:crypto'

export interface EmailAddress {
  name: string
  address: string
}
export interface Recipient {
  emailAddress: EmailAddress
}
export interface MessageBody {
  contentType: 'text' | 'html'
  content: string
}
export interface MessageHeader {
  name: string
  value: string
}
export interface MessageFlag {
  flagStatus: string
}
export interface MessageRecord {
  id: string
  /** A user id, or EXTERNAL. */
  mailbox: string
  /** A well-known folder name. */
  folder: string
  createdDateTime: string
  lastModifiedDateTime: string
  receivedDateTime: string
  sentDateTime: string
  changeKey: string
  subject: string
  body: MessageBody
  importance: 'low' | 'normal' | 'high'
  from: Recipient | null
  sender: Recipient | null
  toRecipients: Recipient[]
  ccRecipients: Recipient[]
  bccRecipients: Recipient[]
  replyTo: Recipient[]
  internetMessageId: string
  conversationId: string
  internetMessageHeaders?: MessageHeader[]
  isRead: boolean
  isDraft: boolean
  hasAttachments: boolean
  flag: MessageFlag
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
