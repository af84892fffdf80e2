/**
 * layout: the inbox viewer's page shell — a top bar with search, the About panel, the mailbox pane (All mail, each
 * mailbox with its unread count, the selected one's folders, the Empty actions) and the main pane. Landmarks for every
 * part, no inline script or style; inbox.js adds live updates and local dates.
 */
import { html, type SafeHtml } from '../html.ts'
import { FAVICON } from '../identity/sign-in/pages.ts'
import type { InboxStrings } from './i18n/index.ts'

export interface PaneEntry {
  href: string
  label: string
  detail: string
  unread: number
  selected: boolean
  picture: SafeHtml
  /** The selected mailbox's folders, and the form that empties it. */
  folders?: FolderLink[]
  empty?: { action: string; name: string }
}
export interface FolderLink {
  label: string
  unread: number
  total: number
  selected: boolean
  href: string
}
export interface DemoAccount {
  upn: string
  password: string
  displayName: string
}
export interface LayoutParts {
  s: InboxStrings
  title: string
  /** The search box's text. */
  query: string
  /** This page's URL: Refresh, and where the actions come back to. */
  current: string
  entries: PaneEntry[]
  main: SafeHtml
  accounts: DemoAccount[]
  tenant: string
}

export function layout(parts: LayoutParts): string {
  const { s } = parts
  return (
    '<!doctype html>\n' +
    html`<html lang="${s.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${parts.title} · ${s.titleSuffix}</title>
<link rel="icon" href="${FAVICON}" type="image/svg+xml">
<link rel="stylesheet" href="/inbox/inbox.css">
<script src="/inbox/inbox.js" defer></script>
</head>
<body data-events="/_emulator/events">
<a class="skip" href="#main">${s.skip}</a>
${topBar(parts)}
${about(parts)}
<div class="shell">
${pane(parts)}
<main id="main">${parts.main}</main>
</div>
</body>
</html>`.value
  )
}

function topBar({ s, query, current }: LayoutParts): SafeHtml {
  return html`<header class="topbar">
  <a class="brand" href="/"><img src="${FAVICON}" alt="" width="24" height="24"><span>${s.appName}</span> <span class="sub">· ${s.product}</span></a>
  <form class="search" role="search" method="get" action="/">
    <label class="visually-hidden" for="q">${s.searchLabel}</label>
    <input id="q" name="q" type="search" value="${query}" placeholder="${s.searchPlaceholder}" autocomplete="off">
    <button class="button" type="submit">${s.search}</button>
  </form>
  <a class="button refresh" href="${current}">${s.refresh}</a>
  <p id="live" class="visually-hidden" role="status" data-new-mail="${s.newMail}"></p>
</header>`
}

function about({ s, tenant, accounts }: LayoutParts): SafeHtml {
  return html`<aside class="about" aria-label="${s.about}">
<details>
  <summary>${s.about}</summary>
  <p>${s.aboutIntro(tenant)}</p>
  <p>${s.aboutLinks()}</p>
  <table class="accounts"><caption>${s.accountsCaption}</caption><thead><tr><th scope="col">${s.account}</th><th scope="col">${s.password}</th></tr></thead><tbody>
  ${accounts.map((account) => html`<tr><td>${account.displayName} &lt;${account.upn}&gt;</td><td><code>${account.password}</code></td></tr>`)}
  </tbody></table>
</details>
</aside>`
}

function pane({ s, entries, current }: LayoutParts): SafeHtml {
  return html`<nav class="pane" id="pane" aria-label="${s.paneLabel}">
  <h2>${s.mailboxes}</h2>
  <ul class="mailboxes">
  ${entries.map((entry) => paneEntry(s, entry, current))}
  </ul>
  ${confirmForm('empty-all', s.emptyAll, s.emptyAllConfirm, s.emptyAllButton, '/inbox/mailboxes/empty', '/')}
</nav>`
}

function paneEntry(s: InboxStrings, entry: PaneEntry, current: string): SafeHtml {
  return html`<li><a class="${entry.selected ? 'selected' : ''}" href="${entry.href}"${entry.selected ? html` aria-current="page"` : ''}>
    ${entry.picture}
    <span class="who"><span class="name">${entry.label}</span><span class="detail">${entry.detail}</span></span>
    ${entry.unread ? count(s, entry.unread) : ''}</a>
    ${entry.folders ? folderList(s, entry.folders) : ''}
    ${entry.empty ? confirmForm('empty-mailbox', s.emptyMailbox, s.emptyMailboxConfirm(entry.empty.name), s.emptyMailboxButton, entry.empty.action, current) : ''}</li>`
}

/** An unread count: the number on screen, "3 unread" for a screen reader. */
const count = (s: InboxStrings, unread: number) =>
  html`<span class="count">${unread}<span class="visually-hidden"> ${s.unreadWord(unread)}</span></span>`

function folderList(s: InboxStrings, folders: FolderLink[]): SafeHtml {
  return html`<ul class="folders">${folders.map(
    (
      folder,
    ) => html`<li><a class="${folder.selected ? 'selected' : ''}" href="${folder.href}"${folder.selected ? html` aria-current="page"` : ''}>
    <span>${folder.label}</span>${folder.unread ? count(s, folder.unread) : html`<span class="total">${folder.total || ''}</span>`}</a></li>`,
  )}</ul>`
}

/** A destructive action behind a disclosure: the summary names it, the form inside confirms it. */
function confirmForm(
  id: string,
  summary: string,
  question: string,
  button: string,
  action: string,
  back: string,
): SafeHtml {
  return html`<details class="confirm" id="${id}"><summary>${summary}</summary>
  <form method="post" action="${action}"><input type="hidden" name="back" value="${back}">
  <p>${question}</p><button class="button danger" type="submit">${button}</button></form></details>`
}
