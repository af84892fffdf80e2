/**
 * rowOf, detailOf, humanSize: a stored message as the list shows it (a row) and as the reading pane shows it (with the
 * view asked for: the message, its header fields, or its MIME source).
 */
import type { EmulatorContext } from '../context.ts'
import { messageHeaders, messageMime } from '../graph/message-mime.ts'
import type { MessageRecord, Recipient } from '../graph/message-model.ts'
import { bodyPreview } from '../graph/message-views.ts'
import type { InboxStrings } from './i18n/index.ts'
import type { MessageRow } from './message-list.ts'
import type { MessageDetail, MessageTab } from './message-view.ts'
import { timeTag } from './time-tag.ts'

/** The source shown in the page stops here (a download gives all of it). */
const SOURCE_SHOWN = 256 * 1024
const OUTGOING = new Set(['sentitems', 'drafts', 'outbox'])

export function rowOf(
  s: InboxStrings,
  message: MessageRecord,
  href: string,
  selected: boolean,
  where?: string,
): MessageRow {
  return {
    href,
    from: OUTGOING.has(message.folder)
      ? `${s.toPrefix} ${names(message.toRecipients) || '—'}`
      : person(message.from),
    subject: message.subject,
    preview: bodyPreview(message.body).slice(0, 120),
    date: timeTag(message.receivedDateTime, s.lang, 'short'),
    unread: !message.isRead,
    importance: message.importance,
    attachments: message.hasAttachments,
    selected,
    where,
  }
}

/** What the reading pane needs; `links` are where it lives (its URL, the list's) and `where`, on mixed lists. */
export function detailOf(
  context: EmulatorContext,
  s: InboxStrings,
  message: MessageRecord,
  links: { href: string; back: { href: string; label: string }; where?: string; tab: MessageTab },
): MessageDetail {
  const id = encodeURIComponent(message.id)
  const files = context.mail.attachmentList(message.id)
  return {
    id: message.id,
    subject: message.subject,
    from: person(message.from),
    to: people(message.toRecipients),
    cc: people(message.ccRecipients),
    bcc: people(message.bccRecipients),
    date: timeTag(message.receivedDateTime, s.lang, 'long'),
    importance: message.importance,
    isRead: message.isRead,
    internetMessageId: message.internetMessageId,
    bodyUrl: `/inbox/body/${id}`,
    rawUrl: `/inbox/raw/${id}`,
    emlName: `${(message.subject || 'message').replace(/[^\p{L}\p{N} ._-]+/gu, '_').slice(0, 80)}.eml`,
    attachments: files.map((attachment) => ({
      name: attachment.name,
      size: humanSize(s, attachment.size),
      href: `/inbox/attachment/${id}/${encodeURIComponent(attachment.id)}`,
    })),
    ...links,
    ...(links.tab === 'headers'
      ? { headers: messageHeaders(message, files.length > 0) }
      : links.tab === 'source'
        ? { source: sourceOf(context, s, message) }
        : {}),
  }
}

function sourceOf(context: EmulatorContext, s: InboxStrings, message: MessageRecord) {
  const text = messageMime(message, context.mail.attachments(message.id))
  if (text.length <= SOURCE_SHOWN) return { text }
  const cut = s.sourceCut(humanSize(s, SOURCE_SHOWN), humanSize(s, text.length))
  return { text: text.slice(0, SOURCE_SHOWN), cut }
}

/** 980 B, 12 KB, 3.4 MB — in the reader's units and decimal sign. */
export function humanSize(s: InboxStrings, bytes: number): string {
  const [unitB, unitK, unitM] = s.sizeUnits as [string, string, string]
  const number = (value: number, digits: number) =>
    new Intl.NumberFormat(s.lang, { maximumFractionDigits: digits }).format(value)
  if (bytes < 1024) return `${number(bytes, 0)}\u00a0${unitB}`
  if (bytes < 1024 * 1024) return `${number(bytes / 1024, 0)}\u00a0${unitK}`
  return `${number(bytes / 1024 / 1024, 1)}\u00a0${unitM}`
}

const person = (recipient: Recipient | null) =>
  recipient
    ? recipient.emailAddress.name && recipient.emailAddress.name !== recipient.emailAddress.address
      ? `${recipient.emailAddress.name} <${recipient.emailAddress.address}>`
      : recipient.emailAddress.address
    : ''
const people = (list: Recipient[]) => list.map(person).join(', ')
const names = (list: Recipient[]) =>
  list.map((recipient) => recipient.emailAddress.name || recipient.emailAddress.address).join(', ')
