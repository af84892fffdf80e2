/**
 * messageMime, messageHeaders: a stored message as the RFC 5322 / MIME document Graph's `GET …/messages/{id}/$value`
 * returns — Exchange's header order, multipart/alternative for HTML (with a text part), multipart/related for inline
 * images, multipart/mixed for attachments (base64) — and its header fields as a viewer lists them (decoded).
 */
import { createHash } from 'node:crypto'
import { htmlToText } from './html-text.ts'
import type { AttachmentRecord, MessageRecord, Recipient } from './message-model.ts'
import {
  base64Lines,
  headerLine,
  mailbox,
  parameter,
  quotedPrintable,
  rfc5322Date,
} from './mime-encoding.ts'

const CRLF = '\r\n'
const MEDIA_TYPE = /^[\w.+-]+\/[\w.+-]+$/
const PRIORITY = { high: '1', low: '5' } as const

/** One header field: its decoded value (what a person reads) and its line as sent (encoded, folded). */
export interface HeaderField {
  name: string
  value: string
  line: string
}

/** A MIME entity: its header lines and its (encoded) body. */
interface Entity {
  headers: string[]
  body: string
}

/** The message as an Internet message: CRLF line ends, every line within 998 characters. */
export function messageMime(message: MessageRecord, attachments: AttachmentRecord[]): string {
  const head = messageHeaders(message, attachments.length > 0).map((field) => field.line)
  const entity = bodyEntity(message, attachments)
  return [...head, ...entity.headers].join(CRLF) + CRLF + CRLF + entity.body + CRLF
}

/** The message's header fields, in Exchange's order, up to MIME-Version (Content-Type depends on the body). */
export function messageHeaders(message: MessageRecord, hasAttachments: boolean): HeaderField[] {
  const fields: (HeaderField | undefined)[] = [
    addressField(
      'From',
      [message.from ?? message.sender].filter((one) => one !== null),
    ),
    message.sender && message.sender.emailAddress.address !== message.from?.emailAddress.address
      ? addressField('Sender', [message.sender])
      : undefined,
    addressField('To', message.toRecipients),
    addressField('Cc', message.ccRecipients),
    addressField('Bcc', message.bccRecipients),
    addressField('Reply-To', message.replyTo),
    field('Subject', message.subject),
    field('Thread-Topic', message.subject),
    field('Date', rfc5322Date(message.sentDateTime || message.createdDateTime)),
    message.internetMessageId ? field('Message-ID', message.internetMessageId) : undefined,
    ...(message.importance === 'normal'
      ? []
      : [
          field('Importance', message.importance),
          field('X-Priority', PRIORITY[message.importance]),
        ]),
    field('X-MS-Has-Attach', hasAttachments ? 'yes' : ''),
    ...(message.internetMessageHeaders ?? []).map(({ name, value }) => field(name, value)),
    field('MIME-Version', '1.0'),
  ]
  return fields.filter((one) => one !== undefined)
}

const field = (name: string, value: string): HeaderField => ({
  name,
  value,
  line: headerLine(name, value),
})

function addressField(name: string, list: Recipient[]): HeaderField | undefined {
  if (list.length === 0) return undefined
  const shown = ({ emailAddress: { name, address } }: Recipient) =>
    name && name !== address ? `${name} <${address}>` : address
  const value = list.map(shown).join(', ')
  const sent = list.map(({ emailAddress }) => mailbox(emailAddress.name, emailAddress.address))
  return { name, value, line: headerLine(name, sent.join(', '), false) }
}

/** The body, then inline images (multipart/related), then the other attachments (multipart/mixed). */
function bodyEntity(message: MessageRecord, attachments: AttachmentRecord[]): Entity {
  const boundary = (kind: string) =>
    `_${kind}_${createHash('sha256').update(message.id).digest('hex').slice(0, 32)}_`
  const html = message.body.contentType === 'html'
  const inline = attachments.filter((one) => html && one.isInline && one.contentId)
  const files = attachments.filter((one) => !inline.includes(one))
  let entity = html
    ? multipart('alternative', boundary('000'), [
        textPart('plain', htmlToText(message.body.content)),
        textPart('html', message.body.content),
      ])
    : textPart('plain', message.body.content)
  if (inline.length)
    entity = multipart('related', boundary('003'), [entity, ...inline.map(attachmentPart)])
  if (files.length)
    entity = multipart('mixed', boundary('004'), [entity, ...files.map(attachmentPart)])
  return entity
}

function multipart(subtype: string, boundary: string, parts: Entity[]): Entity {
  const body = parts
    .map(
      (part) => `--${boundary}${CRLF}${part.headers.join(CRLF)}${CRLF}${CRLF}${part.body}${CRLF}`,
    )
    .join('')
  return {
    headers: [`Content-Type: multipart/${subtype};${CRLF}\tboundary="${boundary}"`],
    body: `${body}--${boundary}--`,
  }
}

function textPart(subtype: 'plain' | 'html', text: string): Entity {
  return {
    headers: [
      `Content-Type: text/${subtype}; charset="utf-8"`,
      'Content-Transfer-Encoding: quoted-printable',
    ],
    body: quotedPrintable(text),
  }
}

function attachmentPart(attachment: AttachmentRecord): Entity {
  const type = MEDIA_TYPE.test(attachment.contentType)
    ? attachment.contentType
    : 'application/octet-stream'
  const date = rfc5322Date(attachment.lastModifiedDateTime)
  const disposition = attachment.isInline ? 'inline' : 'attachment'
  const contentId = attachment.contentId?.replace(/[\r\n<>]/g, '')
  return {
    headers: [
      `Content-Type: ${type}; ${parameter('name', attachment.name)}`,
      headerLine('Content-Description', attachment.name),
      `Content-Disposition: ${disposition}; ${parameter('filename', attachment.name)}; size=${attachment.size};` +
        `${CRLF}\tcreation-date="${date}"; modification-date="${date}"`,
      ...(contentId ? [`Content-ID: <${contentId}>`] : []),
      'Content-Transfer-Encoding: base64',
    ],
    body: base64Lines(attachment.bytes),
  }
}
