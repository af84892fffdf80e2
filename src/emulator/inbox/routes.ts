// inboxRoutes: the emulator's home page — a read-only mail viewer over every mailbox (tenant users + External).
import { readFileSync } from 'node:fs'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import type { User } from '../state/directory.ts'
import { EXTERNAL, FOLDERS, type MessageRecord, type Recipient } from '../graph/message-model.ts'
import { bodyPreview } from '../graph/message-views.ts'
import { escapeHtml, type SafeHtml } from '../html.ts'
import {
  layout,
  messageList,
  messageView,
  welcome,
  type FolderLink,
  type MailboxLink,
} from './views.ts'

const PAGE_SIZE = 50
const PAGE_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
// Mail HTML is untrusted: no scripts, no network, an opaque origin; inline styles only (mail relies on them).
const DEFAULT_BODY_STYLE =
  "<style>body{font:14px/1.5 'Segoe UI',system-ui,sans-serif;color:#242424}</style>"
const BODY_CSP =
  "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'"
const CSS = readFileSync(new URL('./inbox.css', import.meta.url), 'utf8')
const SHOWN_FOLDERS = [
  'inbox',
  'drafts',
  'sentitems',
  'deleteditems',
  'outbox',
  'junkemail',
  'archive',
]

export async function inboxRoutes(app: FastifyInstance, context: EmulatorContext): Promise<void> {
  const store = context.mail

  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer')
    if (!reply.hasHeader('content-security-policy'))
      reply.header('content-security-policy', PAGE_CSP)
    return payload
  })

  const mailboxKey = (raw: string): { key: string; user?: User } | undefined => {
    if (raw.toLowerCase() === EXTERNAL) return { key: EXTERNAL }
    const user = context.directory.findUser(raw)
    return user ? { key: user.id, user } : undefined
  }
  const slug = (entry: { key: string; user?: User }) => entry.user?.userPrincipalName ?? EXTERNAL

  const page = (
    reply: FastifyReply,
    title: string,
    selected: { key: string; user?: User } | undefined,
    folder: string | undefined,
    main: SafeHtml,
    refresh: string,
  ) => {
    const users = context.directory.listUsers()
    const entries = [
      ...users.map((user) => ({
        key: user.id,
        user,
        label: user.displayName,
        detail: user.userPrincipalName,
      })),
      {
        key: EXTERNAL,
        user: undefined,
        label: 'External recipients',
        detail: 'mail leaving the tenant',
      },
    ]
    const mailboxes: MailboxLink[] = entries.map((entry) => ({
      key: entry.user?.userPrincipalName ?? EXTERNAL,
      label: entry.label,
      detail: entry.detail,
      unread: store.counts(entry.key).get(entry.key === EXTERNAL ? 'outbox' : 'inbox')?.unread ?? 0,
      selected: entry.key === selected?.key,
    }))
    let folders: FolderLink[] | undefined
    if (selected) {
      const counts = store.counts(selected.key)
      const names =
        selected.key === EXTERNAL
          ? ['outbox']
          : SHOWN_FOLDERS.filter((name) => name !== 'outbox' || counts.has(name))
      folders = names.map((name) => ({
        name,
        label: selected.key === EXTERNAL ? 'Outbox (sent outside)' : FOLDERS[name]!,
        unread: counts.get(name)?.unread ?? 0,
        total: counts.get(name)?.total ?? 0,
        selected: name === folder,
        href: `/inbox/${encodeURIComponent(slug(selected))}/${name}`,
      }))
    }
    const accounts = users.map((user) => ({
      upn: user.userPrincipalName,
      password: user.password,
      displayName: user.displayName,
    }))
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(
        layout(title, {
          mailboxes,
          folders,
          main,
          refresh,
          accounts,
          tenant: context.directory.tenant.domain,
        }),
      )
  }

  app.get('/', async (_request, reply) => page(reply, 'Mail', undefined, undefined, welcome(), '/'))
  app.get('/inbox', async (_request, reply) => reply.redirect('/'))
  app.get('/inbox/inbox.css', async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(CSS),
  )

  const listing = (request: FastifyRequest, reply: FastifyReply, messageId?: string) => {
    const params = request.params as { mailbox: string; folder: string }
    const selected = mailboxKey(params.mailbox)
    const folder = params.folder.toLowerCase()
    if (!selected || !FOLDERS[folder]) return notFound(reply)
    const skip = Math.max(0, Number((request.query as { skip?: string }).skip) || 0)
    const rows = store.list(
      selected.key,
      folder,
      { field: 'receivedDateTime', descending: true },
      PAGE_SIZE + 1,
      skip,
    )
    const base = `/inbox/${encodeURIComponent(slug(selected))}/${folder}`
    const current = messageId ? store.get(selected.key, messageId) : undefined
    if (messageId && (!current || current.folder !== folder)) return notFound(reply)
    const list = messageList(
      `${FOLDERS[folder]} — ${selected.user?.displayName ?? 'External recipients'}`,
      rows.slice(0, PAGE_SIZE).map((message) => ({
        href: `${base}/${encodeURIComponent(message.id)}${skip ? `?skip=${skip}` : ''}`,
        from:
          folder === 'sentitems' || folder === 'drafts' || folder === 'outbox'
            ? `To: ${names(message.toRecipients) || '—'}`
            : person(message.from),
        subject: message.subject,
        preview: bodyPreview(message.body).slice(0, 120),
        date: shortDate(message.receivedDateTime),
        unread: !message.isRead,
        importance: message.importance,
        attachments: message.hasAttachments,
        selected: message.id === messageId,
      })),
      rows.length > PAGE_SIZE ? `${base}?skip=${skip + PAGE_SIZE}` : undefined,
      current ? detail(current, base) : undefined,
    )
    return page(reply, current?.subject || FOLDERS[folder]!, selected, folder, list, request.url)
  }
  app.get('/inbox/:mailbox/:folder', async (request, reply) => listing(request, reply))
  app.get('/inbox/:mailbox/:folder/:id', async (request, reply) =>
    listing(request, reply, (request.params as { id: string }).id),
  )

  const detail = (message: MessageRecord, back: string) =>
    messageView({
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
      attachments: store.attachmentList(message.id).map((attachment) => ({
        name: attachment.name,
        size: humanSize(attachment.size),
        href: `/inbox/attachment/${encodeURIComponent(message.id)}/${encodeURIComponent(attachment.id)}`,
      })),
    })

  app.get('/inbox/body/:id', async (request, reply) => {
    const message = store.getById((request.params as { id: string }).id)
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
  })

  app.get('/inbox/attachment/:messageId/:attachmentId', async (request, reply) => {
    const { messageId, attachmentId } = request.params as {
      messageId: string
      attachmentId: string
    }
    const attachment = store.attachment(messageId, attachmentId)
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
  })
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
