/** inboxRoutes: the emulator's home page, a read-only mail viewer over every mailbox (tenant users + External). */
import { readFileSync } from 'node:fs'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import { FOLDERS, type MessageRecord, type Recipient } from '../graph/message-model.ts'
import { bodyPreview } from '../graph/message-views.ts'
import { escapeHtml } from '../html.ts'
import { mailboxKey, mailboxSlug, sendInboxPage } from './inbox-page.ts'
import { messageList, messageView, welcome, type MessageRow } from './views.ts'

const PAGE_SIZE = 50
const NEWEST_FIRST = { field: 'receivedDateTime', descending: true } as const
const PAGE_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
// Mail HTML is untrusted: no scripts, no network, an opaque origin; inline styles only (mail relies on them).
const DEFAULT_BODY_STYLE =
  "<style>body{font:14px/1.5 'Segoe UI',system-ui,sans-serif;color:#242424}</style>"
const BODY_CSP =
  "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'"
const CSS = readFileSync(new URL('./inbox.css', import.meta.url), 'utf8')

type ListingParams = { mailbox: string; folder: string; id?: string }

export async function inboxRoutes(app: FastifyInstance, context: EmulatorContext): Promise<void> {
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer')
    if (!reply.hasHeader('content-security-policy'))
      reply.header('content-security-policy', PAGE_CSP)
    return payload
  })
  app.get('/', async (_request, reply) =>
    sendInboxPage(context, reply, { title: 'Mail', main: welcome(), refresh: '/' }),
  )
  app.get('/inbox', async (_request, reply) => reply.redirect('/'))
  app.get('/inbox/inbox.css', async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(CSS),
  )
  app.get<{ Params: ListingParams }>('/inbox/:mailbox/:folder', async (request, reply) =>
    listing(context, request, reply),
  )
  app.get<{ Params: ListingParams }>('/inbox/:mailbox/:folder/:id', async (request, reply) =>
    listing(context, request, reply),
  )
  app.get<{ Params: { id: string } }>('/inbox/body/:id', async (request, reply) =>
    messageBody(context, request.params.id, reply),
  )
  app.get<{ Params: { messageId: string; attachmentId: string } }>(
    '/inbox/attachment/:messageId/:attachmentId',
    async (request, reply) => {
      const { messageId, attachmentId } = request.params
      const attachment = context.mail.attachment(messageId, attachmentId)
      if (!attachment) return notFound(reply)
      const ascii = attachment.name.replace(/[^\x20-\x7e]|["\\]/g, '_')
      return reply
        .type('application/octet-stream')
        .header(
          'content-disposition',
          `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(attachment.name)}`,
        )
        .header('content-security-policy', "sandbox; default-src 'none'")
        .send(Buffer.from(attachment.bytes))
    },
  )
}

/** A folder's messages, newest first, 50 a page; with the message `id` in the reading pane when given. */
function listing(
  context: EmulatorContext,
  request: FastifyRequest<{ Params: ListingParams }>,
  reply: FastifyReply,
) {
  const { mailbox, id: messageId } = request.params
  const selected = mailboxKey(context, mailbox)
  const folder = request.params.folder.toLowerCase()
  if (!selected || !FOLDERS[folder]) return notFound(reply)
  const skip = Math.max(0, Number((request.query as { skip?: string }).skip) || 0)
  const rows = context.mail.list(selected.key, folder, NEWEST_FIRST, PAGE_SIZE + 1, skip)
  const base = `/inbox/${encodeURIComponent(mailboxSlug(selected))}/${folder}`
  const current = messageId ? context.mail.get(selected.key, messageId) : undefined
  if (messageId && (!current || current.folder !== folder)) return notFound(reply)
  const main = messageList(
    `${FOLDERS[folder]} — ${selected.user?.displayName ?? 'External recipients'}`,
    rows.slice(0, PAGE_SIZE).map((message) => messageRow(message, base, folder, skip, messageId)),
    rows.length > PAGE_SIZE ? `${base}?skip=${skip + PAGE_SIZE}` : undefined,
    current ? detail(context, current, base) : undefined,
  )
  const title = current?.subject || FOLDERS[folder]!
  return sendInboxPage(context, reply, { title, selected, folder, main, refresh: request.url })
}

function messageRow(
  message: MessageRecord,
  base: string,
  folder: string,
  skip: number,
  openId: string | undefined,
): MessageRow {
  const outgoing = folder === 'sentitems' || folder === 'drafts' || folder === 'outbox'
  return {
    href: `${base}/${encodeURIComponent(message.id)}${skip ? `?skip=${skip}` : ''}`,
    from: outgoing ? `To: ${names(message.toRecipients) || '—'}` : person(message.from),
    subject: message.subject,
    preview: bodyPreview(message.body).slice(0, 120),
    date: shortDate(message.receivedDateTime),
    unread: !message.isRead,
    importance: message.importance,
    attachments: message.hasAttachments,
    selected: message.id === openId,
  }
}

/** The reading pane: headers, attachments, and the body in a sandboxed frame. */
function detail(context: EmulatorContext, message: MessageRecord, back: string) {
  return messageView({
    subject: message.subject,
    from: person(message.from),
    to: people(message.toRecipients),
    cc: people(message.ccRecipients),
    bcc: people(message.bccRecipients),
    date: new Date(message.receivedDateTime).toUTCString(),
    importance: message.importance,
    folder: FOLDERS[message.folder]!,
    back,
    internetMessageId: message.internetMessageId,
    bodyUrl: `/inbox/body/${encodeURIComponent(message.id)}`,
    attachments: context.mail.attachmentList(message.id).map((attachment) => ({
      name: attachment.name,
      size: humanSize(attachment.size),
      href: `/inbox/attachment/${encodeURIComponent(message.id)}/${encodeURIComponent(attachment.id)}`,
    })),
  })
}

/** The body of a message, served alone for the frame, under a CSP that runs nothing and fetches nothing. */
function messageBody(context: EmulatorContext, id: string, reply: FastifyReply) {
  const message = context.mail.getById(id)
  if (!message) return notFound(reply)
  // Like a mail client, a default font first; the message's own styles come later and win.
  const content =
    message.body.contentType === 'html'
      ? `${DEFAULT_BODY_STYLE}${message.body.content}`
      : `<!doctype html><meta charset="utf-8"><pre style="white-space:pre-wrap;font:14px/1.5 'Segoe UI',system-ui,sans-serif;margin:0">${escapeHtml(message.body.content)}</pre>`
  return reply
    .type('text/html; charset=utf-8')
    .header('content-security-policy', BODY_CSP)
    .header('cache-control', 'no-store')
    .send(content)
}

const notFound = (reply: FastifyReply) =>
  reply
    .code(404)
    .type('text/html; charset=utf-8')
    .send(
      '<!doctype html><meta charset="utf-8"><title>Not found</title><link rel="stylesheet" href="/inbox/inbox.css"><main class="welcome"><h1>Not found</h1><p><a href="/">Back to the mailboxes</a></p></main>',
    )

const person = (recipient: Recipient | null) =>
  recipient
    ? recipient.emailAddress.name && recipient.emailAddress.name !== recipient.emailAddress.address
      ? `${recipient.emailAddress.name} <${recipient.emailAddress.address}>`
      : recipient.emailAddress.address
    : ''
const people = (list: Recipient[]) => list.map(person).join(', ')
const names = (list: Recipient[]) =>
  list.map((recipient) => recipient.emailAddress.name || recipient.emailAddress.address).join(', ')

function shortDate(iso: string): string {
  const date = new Date(iso)
  const today = new Date().toISOString().slice(0, 10) === iso.slice(0, 10)
  return today ? date.toISOString().slice(11, 16) : date.toISOString().slice(0, 10)
}

function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}
