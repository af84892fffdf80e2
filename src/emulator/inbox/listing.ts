/**
 * folderPage, allMailPage, notFoundPage: the viewer's list pages — one mailbox's folder, or All mail (every mailbox,
 * newest first) with its search — each with the open message in the reading pane.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import { FOLDERS, type MessageRecord } from '../graph/message-model.ts'
import { html } from '../html.ts'
import { FAVICON } from '../identity/sign-in/pages.ts'
import { inboxStrings, type InboxStrings } from './i18n/index.ts'
import { folderName, mailboxKey, mailboxName, mailboxSlug, sendInboxPage } from './inbox-page.ts'
import { messageList } from './message-list.ts'
import { detailOf, rowOf } from './message-pane.ts'
import { MESSAGE_TABS, messageView, type MessageTab } from './message-view.ts'
import { matchesQuery, parseQuery, type Query } from './search.ts'

const PAGE_SIZE = 50
const NEWEST_FIRST = { field: 'receivedDateTime', descending: true } as const

export type ListQuery = { skip?: string; q?: string; view?: string }
export type FolderParams = { mailbox: string; folder: string; id?: string }

/** A folder's messages, newest first, 50 a page; with the message `id` in the reading pane when given. */
export function folderPage(
  context: EmulatorContext,
  request: FastifyRequest<{ Params: FolderParams; Querystring: ListQuery }>,
  reply: FastifyReply,
): FastifyReply {
  const s = inboxStrings(request)
  const { id } = request.params
  const selected = mailboxKey(context, request.params.mailbox)
  const folder = request.params.folder.toLowerCase()
  if (!selected || !FOLDERS[folder]) return notFoundPage(reply, s)
  const open = id ? context.mail.get(selected.key, id) : undefined
  if (id && (!open || open.folder !== folder)) return notFoundPage(reply, s)
  const skip = skipOf(request.query)
  const found = context.mail.list(selected.key, folder, NEWEST_FIRST, PAGE_SIZE + 1, skip)
  const base = `/inbox/${encodeURIComponent(mailboxSlug(selected))}/${folder}`
  const at = (path: string, from = skip) => link(path, { skip: from })
  const label = folderName(s, selected.key, folder)
  const messageUrl = (message: MessageRecord) => at(`${base}/${encodeURIComponent(message.id)}`)
  const main = messageList(s, {
    heading: `${label} — ${mailboxName(s, selected)}`,
    rows: found.slice(0, PAGE_SIZE).map((one) => rowOf(s, one, messageUrl(one), one.id === id)),
    empty: s.noMessages,
    newer: skip > 0 ? at(base, Math.max(0, skip - PAGE_SIZE)) : undefined,
    older: found.length > PAGE_SIZE ? at(base, skip + PAGE_SIZE) : undefined,
    reading: open
      ? messageView(
          s,
          detailOf(context, s, open, {
            href: messageUrl(open),
            back: { href: at(base), label },
            tab: tabOf(request.query),
          }),
        )
      : undefined,
  })
  const title = open?.subject || label
  return sendInboxPage(context, reply, s, { title, current: request.url, selected, folder, main })
}

/** Every mailbox's messages, newest first, or those matching the search `q`; with the message `id` open. */
export function allMailPage(
  context: EmulatorContext,
  request: FastifyRequest<{ Params: { id?: string }; Querystring: ListQuery }>,
  reply: FastifyReply,
): FastifyReply {
  const s = inboxStrings(request)
  const { id } = request.params
  const open = id ? context.mail.getById(id) : undefined
  if (id && !open) return notFoundPage(reply, s)
  const q = (request.query.q ?? '').trim().slice(0, 500)
  const skip = skipOf(request.query)
  const found = pageOf(context.mail.everything(), parseQuery(q), skip)
  const at = (path: string, from = skip) => link(path, { q, skip: from })
  const where = whereOf(context, s)
  const heading = q ? s.searchHeading(q) : s.allMail
  const messageUrl = (message: MessageRecord) => at(`/all/${encodeURIComponent(message.id)}`)
  const main = messageList(s, {
    heading,
    help: q ? s.searchHelp : undefined,
    rows: found
      .slice(0, PAGE_SIZE)
      .map((one) => rowOf(s, one, messageUrl(one), one.id === id, where(one))),
    empty: q ? s.noResults(q) : s.noMessages,
    newer: skip > 0 ? at('/', Math.max(0, skip - PAGE_SIZE)) : undefined,
    older: found.length > PAGE_SIZE ? at('/', skip + PAGE_SIZE) : undefined,
    reading: open
      ? messageView(
          s,
          detailOf(context, s, open, {
            href: messageUrl(open),
            back: { href: at('/'), label: heading },
            where: where(open),
            tab: tabOf(request.query),
          }),
        )
      : undefined,
  })
  const title = open?.subject || heading
  return sendInboxPage(context, reply, s, {
    title,
    current: request.url,
    selected: 'all',
    main,
    query: q,
  })
}

/** The matching messages after the first `skip`, one more than a page (to know whether there are older ones). */
function pageOf(messages: Iterable<MessageRecord>, query: Query, skip: number): MessageRecord[] {
  const found: MessageRecord[] = []
  let skipped = 0
  for (const message of messages) {
    if (!matchesQuery(message, query)) continue
    if (skipped++ < skip) continue
    found.push(message)
    if (found.length > PAGE_SIZE) break
  }
  return found
}

/** "Léa Martin · Inbox": where a message of a mixed list is kept. */
function whereOf(context: EmulatorContext, s: InboxStrings) {
  const names = new Map<string, string>()
  return (message: MessageRecord) => {
    let name = names.get(message.mailbox)
    if (name === undefined) {
      const mailbox = mailboxKey(context, message.mailbox)
      names.set(message.mailbox, (name = mailbox ? mailboxName(s, mailbox) : message.mailbox))
    }
    return `${name} · ${folderName(s, message.mailbox, message.folder)}`
  }
}

/** A path with its query, leaving out what is empty or zero. */
function link(path: string, params: Record<string, string | number>): string {
  const query = new URLSearchParams()
  for (const [name, value] of Object.entries(params)) if (value) query.set(name, String(value))
  const text = query.toString()
  return text ? `${path}?${text}` : path
}

const skipOf = (query: ListQuery) => Math.max(0, Math.floor(Number(query.skip)) || 0)

const tabOf = (query: ListQuery): MessageTab =>
  MESSAGE_TABS.includes(query.view as MessageTab) ? (query.view as MessageTab) : 'message'

export function notFoundPage(reply: FastifyReply, s: InboxStrings): FastifyReply {
  return reply
    .code(404)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(
      '<!doctype html>\n' +
        html`<html lang="${s.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${s.notFound} · ${s.titleSuffix}</title><link rel="icon" href="${FAVICON}" type="image/svg+xml"><link rel="stylesheet" href="/inbox/inbox.css"></head>
<body><main id="main" class="welcome"><h1>${s.notFound}</h1><p>${s.notFoundText}</p><p><a href="/">${s.backHome}</a></p></main></body></html>`
          .value,
    )
}
