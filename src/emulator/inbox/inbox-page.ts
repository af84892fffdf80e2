/** sendInboxPage: a page of the inbox viewer, its mailbox pane (with unread counts) and the selected mailbox's folders. */
import type { FastifyReply } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import { EXTERNAL, FOLDERS } from '../graph/message-model.ts'
import type { SafeHtml } from '../html.ts'
import type { User } from '../state/directory.ts'
import { layout, type FolderLink, type MailboxLink } from './views.ts'

const SHOWN_FOLDERS = [
  'inbox',
  'drafts',
  'sentitems',
  'deleteditems',
  'outbox',
  'junkemail',
  'archive',
]

/** A mailbox of the viewer: a tenant user's, or the External outbox. */
export interface MailboxKey {
  key: string
  user?: User
}

/** What a page shows: its title, the mailbox and folder selected, the main pane, the Refresh link. */
export interface InboxPage {
  title: string
  selected?: MailboxKey
  folder?: string
  main: SafeHtml
  refresh: string
}

/** The mailbox a URL names (a UPN, an id, or `external`). */
export function mailboxKey(context: EmulatorContext, raw: string): MailboxKey | undefined {
  if (raw.toLowerCase() === EXTERNAL) return { key: EXTERNAL }
  const user = context.directory.findUser(raw)
  return user ? { key: user.id, user } : undefined
}

/** The mailbox as it appears in URLs. */
export const mailboxSlug = (entry: MailboxKey) => entry.user?.userPrincipalName ?? EXTERNAL

export function sendInboxPage(
  context: EmulatorContext,
  reply: FastifyReply,
  page: InboxPage,
): FastifyReply {
  const users = context.directory.listUsers()
  const accounts = users.map((user) => ({
    upn: user.userPrincipalName,
    password: user.password,
    displayName: user.displayName,
  }))
  const html = layout(page.title, {
    mailboxes: mailboxLinks(context, users, page.selected),
    folders: page.selected ? folderLinks(context, page.selected, page.folder) : undefined,
    main: page.main,
    refresh: page.refresh,
    accounts,
    tenant: context.directory.tenant.domain,
  })
  return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html)
}

function mailboxLinks(
  context: EmulatorContext,
  users: User[],
  selected: MailboxKey | undefined,
): MailboxLink[] {
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
  return entries.map((entry) => ({
    key: mailboxSlug(entry),
    label: entry.label,
    detail: entry.detail,
    unread:
      context.mail.counts(entry.key).get(entry.key === EXTERNAL ? 'outbox' : 'inbox')?.unread ?? 0,
    selected: entry.key === selected?.key,
  }))
}

function folderLinks(
  context: EmulatorContext,
  selected: MailboxKey,
  folder: string | undefined,
): FolderLink[] {
  const counts = context.mail.counts(selected.key)
  const external = selected.key === EXTERNAL
  const names = external
    ? ['outbox']
    : SHOWN_FOLDERS.filter((name) => name !== 'outbox' || counts.has(name))
  return names.map((name) => ({
    name,
    label: external ? 'Outbox (sent outside)' : FOLDERS[name]!,
    unread: counts.get(name)?.unread ?? 0,
    total: counts.get(name)?.total ?? 0,
    selected: name === folder,
    href: `/inbox/${encodeURIComponent(mailboxSlug(selected))}/${name}`,
  }))
}
