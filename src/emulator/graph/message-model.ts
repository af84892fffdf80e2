/** The stored message and attachment records, the well-known folders, and new ids (default, immutable, Message-ID). */
import { createHash, randomBytes } from 'node:crypto'

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
/** A single-value extended property as stored: Graph's `{ id, value }` and the key it is matched by. */
export interface ExtendedProperty {
  /** As the client first wrote it (Graph answers it so). */
  id: string
  value: string
  /** propertyKey(id): what filters and updates compare. */
  key: string
}
/** A date and time without offset, in the named zone (Graph's dateTimeTimeZone). */
export interface DateTimeTimeZone {
  dateTime: string
  timeZone: string
}
/** What makes a message an eventMessage (a meeting request or cancellation), beside the message's own properties. */
export interface MeetingFields {
  '@odata.type': '#microsoft.graph.eventMessageRequest' | '#microsoft.graph.eventMessage'
  meetingMessageType: 'meetingRequest' | 'meetingCancelled'
  startDateTime: DateTimeTimeZone
  endDateTime: DateTimeTimeZone
  location: Record<string, unknown>
  isAllDay: boolean
  /** The event's iCalUId: how the emulator finds the event a request is about. */
  iCalUId: string
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
  /**
   * The id under `Prefer: IdType="ImmutableId"`: kept across moves and a draft's send, while `id` changes then.
   * Absent on messages stored by an older emulator (their `id` serves as both).
   */
  immutableId?: string
  /** On meeting requests and cancellations (eventMessage). */
  meeting?: MeetingFields
  /** Outlook's single-value extended properties (a navigation property: answered only when expanded). */
  singleValueExtendedProperties?: ExtendedProperty[]
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
/** Shaped like Graph's immutable ids (`AAkALg…`), distinct from default ids (`AAMk…`). */
export const newImmutableId = () => newId('AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0A')
export const newChangeKey = () => 'CQAAABYAAA' + randomBytes(12).toString('base64url')
/**
 * A unique Internet Message-ID shaped like Exchange Online's,
 * `<SA1PR11MB6734…@SA1PR11MB6734.namprd11.prod.outlook.com>`: the mailbox server's name (stable per tenant domain)
 * and random upper-case hex.
 */
export function newInternetMessageId(domain: string): string {
  const hash = createHash('sha256').update(domain.toLowerCase()).digest()
  const region = String(10 + (hash[0]! % 10)).padStart(2, '0')
  const server = `SA1PR${region}MB${String(hash.readUInt16BE(1) % 10000).padStart(4, '0')}`
  // 21 hex digits (84 random bits): the folded `Message-ID:` line stays within MIME's 78 characters.
  const unique = randomBytes(11).toString('hex').toUpperCase().slice(0, 21)
  return `<${server}${unique}@${server}.namprd${region}.prod.outlook.com>`
}
/** The immutable id a record answers to (its `id` when stored by an older emulator). */
export const immutableIdOf = (record: MessageRecord) => record.immutableId ?? record.id

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
