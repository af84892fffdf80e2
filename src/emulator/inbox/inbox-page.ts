/**
 * sendInboxPage, mailboxKey, mailboxSlug, mailboxName: a page of the inbox viewer with its mailbox pane (All mail,
 * every mailbox with its unread count and picture, the selected one's folders), in the reader's language.
 */
import type { FastifyReply } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import { EXTERNAL } from '../graph/message-model.ts'
import { html, type SafeHtml } from '../html.ts'
import type { User } from '../state/directory.ts'
import { avatar } from './avatar.ts'
import type { InboxStrings } from './i18n/index.ts'
import { layout, type FolderLink, type PaneEntry } from './layout.ts'

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

/** What a page shows: its title, what is selected in the pane, the main pane, the search box's text. */
export interface InboxPage {
  title: string
  /** This page's URL (Refresh, and where the forms come back to). */
  current: string
  selected?: MailboxKey | 'all'
  folder?: string
  main: SafeHtml
  query?: string
}

/** The mailbox a URL names (a UPN, an id, or `external`). */
export function mailboxKey(context: EmulatorContext, raw: string): MailboxKey | undefined {
  if (raw.toLowerCase() === EXTERNAL) return { key: EXTERNAL }
  const user = context.directory.findUser(raw)
  return user ? { key: user.id, user } : undefined
}

/** The mailbox as it appears in URLs. */
export const mailboxSlug = (entry: MailboxKey) => entry.user?.userPrincipalName ?? EXTERNAL

/** The mailbox as a person reads it (a user's name, or External recipients). */
export const mailboxName = (s: InboxStrings, entry: MailboxKey) =>
  entry.user?.displayName ?? s.external

/** A mailbox's folder, named as Outlook names it in the reader's language. */
export const folderName = (s: InboxStrings, mailbox: string, folder: string) =>
  mailbox === EXTERNAL && folder === 'outbox' ? s.externalOutbox : (s.folders[folder] ?? folder)

export function sendInboxPage(
  context: EmulatorContext,
  reply: FastifyReply,
  s: InboxStrings,
  page: InboxPage,
): FastifyReply {
  const users = context.directory.listUsers()
  const body = layout({
    s,
    title: page.title,
    query: page.query ?? '',
    current: page.current,
    entries: [allMailEntry(context, s, page), ...mailboxEntries(context, s, users, page)],
    main: page.main,
    accounts: users.map((user) => ({
      upn: user.userPrincipalName,
      password: user.password,
      displayName: user.displayName,
    })),
    tenant: context.directory.tenant.domain,
  })
  return reply
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('vary', 'accept-language')
    .send(body)
}

function allMailEntry(context: EmulatorContext, s: InboxStrings, page: InboxPage): PaneEntry {
  return {
    href: '/',
    label: s.allMail,
    detail: s.allMailDetail,
    unread: context.mail.totals().unread,
    selected: page.selected === 'all',
    picture: html`<span class="avatar icon all" aria-hidden="true"></span>`,
  }
}

function mailboxEntries(
  context: EmulatorContext,
  s: InboxStrings,
  users: User[],
  page: InboxPage,
): PaneEntry[] {
  const selectedKey = typeof page.selected === 'object' ? page.selected.key : undefined
  const mailboxes: MailboxKey[] = [
    ...users.map((user) => ({ key: user.id, user })),
    { key: EXTERNAL },
  ]
  return mailboxes.map((mailbox) => {
    const slug = encodeURIComponent(mailboxSlug(mailbox))
    const selected = mailbox.key === selectedKey
    const external = mailbox.key === EXTERNAL
    const counts = context.mail.counts(mailbox.key)
    return {
      href: `/inbox/${slug}/${external ? 'outbox' : 'inbox'}`,
      label: mailboxName(s, mailbox),
      detail: mailbox.user?.userPrincipalName ?? s.externalDetail,
      unread: counts.get(external ? 'outbox' : 'inbox')?.unread ?? 0,
      selected,
      picture: mailbox.user
        ? avatar(
            mailbox.user.displayName,
            context.directory.userPhoto(mailbox.user.id)
              ? `/inbox/photo/${encodeURIComponent(mailbox.user.id)}`
              : undefined,
          )
        : html`<span class="avatar icon external" aria-hidden="true"></span>`,
      ...(selected
        ? {
            folders: folderLinks(s, mailbox, counts, page.folder),
            empty: { action: `/inbox/mailboxes/${slug}/empty`, name: mailboxName(s, mailbox) },
          }
        : {}),
    }
  })
}

function folderLinks(
  s: InboxStrings,
  mailbox: MailboxKey,
  counts: Map<string, { total: number; unread: number }>,
  folder: string | undefined,
): FolderLink[] {
  const external = mailbox.key === EXTERNAL
  const names = external
    ? ['outbox']
    : SHOWN_FOLDERS.filter((name) => name !== 'outbox' || counts.has(name))
  return names.map((name) => ({
    label: folderName(s, mailbox.key, name),
    unread: counts.get(name)?.unread ?? 0,
    total: counts.get(name)?.total ?? 0,
    selected: name === folder,
    href: `/inbox/${encodeURIComponent(mailboxSlug(mailbox))}/${name}`,
  }))
}
