/** Turning a Graph message body (already read by readBody) into stored records: message, recipients, attachments. */
import type { Directory } from '../state/directory.ts'
import { withExtendedProperties, type ExtendedPropertyInput } from './extended-properties.ts'
import { GraphError } from './graph-error.ts'
import {
  newChangeKey,
  newId,
  newImmutableId,
  type AttachmentRecord,
  type MessageRecord,
  type Recipient,
} from './message-model.ts'

interface EmailAddressInput {
  address?: string | null
  name?: string | null
}
type RecipientInput = { emailAddress?: EmailAddressInput | null } | null
interface BodyInput {
  contentType?: 'text' | 'html'
  content?: string | null
}
interface HeaderInput {
  name?: string | null
  value?: string | null
}
export interface AttachmentInput {
  '@odata.type'?: string
  name?: string | null
  contentType?: string | null
  contentBytes?: string | null
  isInline?: boolean | null
  contentId?: string | null
}
export interface MessageInput {
  subject?: string | null
  body?: BodyInput | null
  toRecipients?: RecipientInput[] | null
  ccRecipients?: RecipientInput[] | null
  bccRecipients?: RecipientInput[] | null
  replyTo?: RecipientInput[] | null
  from?: RecipientInput
  importance?: 'low' | 'normal' | 'high' | null
  internetMessageHeaders?: HeaderInput[] | null
  attachments?: AttachmentInput[] | null
  categories?: string[] | null
  isRead?: boolean | null
  flag?: { flagStatus?: string } | null
  singleValueExtendedProperties?: ExtendedPropertyInput[] | null
}

/** Exchange's default limit on one file attachment posted inline (larger ones go through an upload session). */
export const INLINE_ATTACHMENT_LIMIT = 3 * 1024 * 1024
const ADDRESS = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+$/
const FILE_ATTACHMENT = '#microsoft.graph.fileAttachment'
const RECIPIENT_FIELDS = ['toRecipients', 'ccRecipients', 'bccRecipients', 'replyTo'] as const

export function newRecord(mailbox: string, folder: string, now: string): MessageRecord {
  return {
    id: newId(),
    immutableId: newImmutableId(),
    mailbox,
    folder,
    createdDateTime: now,
    lastModifiedDateTime: now,
    receivedDateTime: now,
    sentDateTime: now,
    changeKey: newChangeKey(),
    subject: '',
    body: { contentType: 'text', content: '' },
    importance: 'normal',
    from: null,
    sender: null,
    toRecipients: [],
    ccRecipients: [],
    bccRecipients: [],
    replyTo: [],
    internetMessageId: '',
    conversationId: newId('AAQk'),
    isRead: true,
    isDraft: true,
    hasAttachments: false,
    flag: { flagStatus: 'notFlagged' },
    categories: [],
  }
}

/** Copies the given properties of `input` onto `record` (POST and PATCH alike). */
export function applyInput(record: MessageRecord, input: MessageInput, directory: Directory): void {
  if (input.subject !== undefined) record.subject = input.subject ?? ''
  if (input.body !== undefined) {
    record.body = {
      contentType: input.body?.contentType ?? 'text',
      content: input.body?.content ?? '',
    }
  }
  for (const field of RECIPIENT_FIELDS) {
    const list = input[field]
    if (list !== undefined)
      record[field] = (list ?? []).map((recipient) => toRecipient(recipient, directory))
  }
  if (input.from !== undefined) record.from = input.from ? toRecipient(input.from, directory) : null
  if (input.importance) record.importance = input.importance
  if (input.categories !== undefined) record.categories = input.categories ?? []
  if (typeof input.isRead === 'boolean') record.isRead = input.isRead
  if (input.flag?.flagStatus) record.flag = { flagStatus: input.flag.flagStatus }
  if (input.internetMessageHeaders !== undefined)
    record.internetMessageHeaders = checkHeaders(input.internetMessageHeaders ?? [])
  if (input.singleValueExtendedProperties) {
    record.singleValueExtendedProperties = withExtendedProperties(
      record.singleValueExtendedProperties,
      input.singleValueExtendedProperties,
    )
  }
}

function toRecipient(input: RecipientInput, directory: Directory): Recipient {
  const address = (input?.emailAddress?.address ?? '').trim()
  const name =
    input?.emailAddress?.name ??
    (address ? directory.findUser(address)?.displayName : undefined) ??
    address
  return { emailAddress: { name, address } }
}

function checkHeaders(headers: HeaderInput[]) {
  return headers.map(({ name, value }) => {
    if (!name || !/^x-/i.test(name)) {
      throw new GraphError(
        400,
        'InvalidInternetMessageHeader',
        `The internet message header name '${name ?? ''}' should start with 'x-' or 'X-'.`,
      )
    }
    return { name, value: value ?? '' }
  })
}

/** Graph's synchronous recipient check before a send [protocol-spec.md B2.1]. */
export function checkRecipients(record: MessageRecord): void {
  const all = [...record.toRecipients, ...record.ccRecipients, ...record.bccRecipients]
  if (all.length === 0) {
    throw new GraphError(
      400,
      'ErrorInvalidRecipients',
      "At least one recipient isn't valid., A message can't be sent because it contains no recipients.",
    )
  }
  const bad = all.find((recipient) => !ADDRESS.test(recipient.emailAddress.address))
  if (bad) {
    const shown = bad.emailAddress.address || bad.emailAddress.name
    throw new GraphError(
      400,
      'ErrorInvalidRecipients',
      `At least one recipient isn't valid., Recipient "${shown}" isn't resolved. ` +
        'All recipients must be resolved before a message can be submitted.',
    )
  }
}

/** File attachments from a message body or POST …/attachments; other attachment types are refused. */
export function toAttachments(
  inputs: AttachmentInput[],
  messageId: string,
  now: string,
): AttachmentRecord[] {
  return inputs.map((input) => {
    const type =
      input['@odata.type'] ?? (input.contentBytes !== undefined ? FILE_ATTACHMENT : undefined)
    if (type?.toLowerCase() !== FILE_ATTACHMENT.toLowerCase()) {
      throw new GraphError(
        400,
        'ErrorInvalidRequest',
        `The emulator supports only '${FILE_ATTACHMENT}' attachments (got '${type ?? 'none'}').`,
      )
    }
    if (!input.name)
      throw new GraphError(400, 'ErrorInvalidRequest', 'The attachment name is required.')
    const base64 = (input.contentBytes ?? '').replace(/\s+/g, '')
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 === 1) {
      throw new GraphError(
        400,
        'RequestBodyRead',
        `Cannot convert the literal '${base64.slice(0, 40)}' to the expected type 'Edm.Binary'.`,
      )
    }
    const bytes = Buffer.from(base64, 'base64')
    if (bytes.length > INLINE_ATTACHMENT_LIMIT) {
      throw new GraphError(
        413,
        'ErrorMessageSizeExceeded',
        'The attachment exceeds 3 MB: use an upload session (createUploadSession).',
      )
    }
    return {
      id: newId('AAMkAtt'),
      messageId,
      name: input.name,
      contentType: input.contentType || 'application/octet-stream',
      size: bytes.length,
      isInline: input.isInline ?? false,
      contentId: input.contentId ?? null,
      lastModifiedDateTime: now,
      bytes,
    }
  })
}
