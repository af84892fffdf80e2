/**
 * messageMime(record, attachments): the MIME text Graph answers for `GET …/messages/{id}/$value` — the message's
 * headers (with its Message-ID), its body, and its file attachments as parts of a multipart/mixed message.
 */
import { randomBytes } from 'node:crypto'
import type { AttachmentRecord, MessageRecord, Recipient } from './message-model.ts'

const CRLF = '\r\n'

export function messageMime(message: MessageRecord, attachments: AttachmentRecord[]): string {
  const headers: string[] = []
  const add = (name: string, value: string | undefined) => {
    if (value) headers.push(`${name}: ${value}`)
  }
  add('From', message.from ? address(message.from) : undefined)
  add(
    'Sender',
    message.sender && message.sender !== message.from ? address(message.sender) : undefined,
  )
  add('To', message.toRecipients.map(address).join(', '))
  add('CC', message.ccRecipients.map(address).join(', '))
  add('BCC', message.isDraft ? message.bccRecipients.map(address).join(', ') : undefined)
  add('Subject', encodeWord(message.subject))
  add('Thread-Topic', encodeWord(message.subject))
  add('Date', rfc5322Date(message.sentDateTime))
  add('Message-ID', message.internetMessageId)
  for (const header of message.internetMessageHeaders ?? []) add(header.name, header.value)
  add('X-MS-Has-Attach', attachments.length ? 'yes' : undefined)
  headers.push('MIME-Version: 1.0')
  const body = bodyPart(message)
  if (attachments.length === 0) return [...headers, ...body].join(CRLF)
  const boundary = `_004_${randomBytes(12).toString('hex')}_`
  const parts = [body, ...attachments.map(attachmentPart)]
  return [
    ...headers,
    `Content-Type: multipart/mixed;${CRLF}\tboundary="${boundary}"`,
    '',
    ...parts.flatMap((part) => [`--${boundary}`, ...part]),
    `--${boundary}--`,
    '',
  ].join(CRLF)
}

/** The body's headers, a blank line and its base64 lines. */
function bodyPart(message: MessageRecord): string[] {
  const type = message.body.contentType === 'html' ? 'text/html' : 'text/plain'
  return [
    `Content-Type: ${type}; charset="utf-8"`,
    'Content-Transfer-Encoding: base64',
    '',
    ...base64Lines(Buffer.from(message.body.content, 'utf8')),
    '',
  ]
}

function attachmentPart(attachment: AttachmentRecord): string[] {
  const name = encodeWord(attachment.name).replace(/"/g, '')
  return [
    `Content-Type: ${attachment.contentType}; name="${name}"`,
    `Content-Description: ${name}`,
    `Content-Disposition: ${attachment.isInline ? 'inline' : 'attachment'}; filename="${name}"; size=${attachment.size}`,
    ...(attachment.contentId ? [`Content-ID: <${attachment.contentId}>`] : []),
    'Content-Transfer-Encoding: base64',
    '',
    ...base64Lines(Buffer.from(attachment.bytes)),
    '',
  ]
}

function address(recipient: Recipient): string {
  const { name, address: mail } = recipient.emailAddress
  if (!name || name === mail) return `<${mail}>`
  return `${/^[\x20-\x7e]*$/.test(name) ? `"${name.replace(/["\\]/g, '')}"` : encodeWord(name)} <${mail}>`
}

/** RFC 2047 encoded-word for text beyond printable ASCII. */
function encodeWord(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text
  return `=?utf-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`
}

function base64Lines(bytes: Buffer): string[] {
  const text = bytes.toString('base64')
  const lines: string[] = []
  for (let at = 0; at < text.length; at += 76) lines.push(text.slice(at, at + 76))
  return lines
}

/** `Tue, 15 Nov 1994 08:12:31 +0000`. */
function rfc5322Date(iso: string): string {
  return new Date(iso).toUTCString().replace(/GMT$/, '+0000')
}
