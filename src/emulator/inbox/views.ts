/** The inbox viewer's pages: a Microsoft 365-like shell (mailbox + folder pane, message list, reading pane). */
import { html, type SafeHtml } from '../html.ts'

export interface MailboxLink {
  key: string
  label: string
  detail: string
  unread: number
  selected: boolean
}
export interface FolderLink {
  name: string
  label: string
  unread: number
  total: number
  selected: boolean
  href: string
}
export interface MessageRow {
  href: string
  from: string
  subject: string
  preview: string
  date: string
  unread: boolean
  importance: string
  attachments: boolean
  selected: boolean
}
export interface DemoAccount {
  upn: string
  password: string
  displayName: string
}

export function layout(
  title: string,
  parts: {
    mailboxes: MailboxLink[]
    folders?: FolderLink[]
    main: SafeHtml
    refresh: string
    accounts: DemoAccount[]
    tenant: string
  },
): string {
  return (
    '<!doctype html>\n' +
    html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Graph Connect emulator</title>
<link rel="stylesheet" href="/inbox/inbox.css">
</head>
<body>
<header class="topbar">
  <a class="brand" href="/"><span class="waffle" aria-hidden="true"></span>Mail <span class="muted">· Graph Connect offline emulator</span></a>
  <nav class="actions"><a class="button" href="${parts.refresh}">Refresh</a></nav>
</header>
<details class="about">
  <summary>What is this?</summary>
  <p>This is the mail viewer of the <strong>Graph Connect emulator</strong>, an offline stand-in for Microsoft Entra ID and the
  Microsoft Graph mail API. Mail that apps send through <code>POST /v1.0/me/sendMail</code> lands here: in the recipients'
  Inbox when they are users of the demo tenant <code>${parts.tenant}</code>, in <em>External recipients</em> otherwise, and in
  the sender's Sent Items. Nothing leaves this machine.</p>
  <p>Sign in to the Connect app with one of the demo accounts below (the sign-in page lists them too). Links:
  <a href="/common/v2.0/.well-known/openid-configuration">OpenID configuration</a> ·
  <a href="/_emulator/mailboxes">mailboxes as JSON</a> (control API, loopback only; see <code>docs/EMULATOR-CONTROL.md</code>).</p>
  <table class="accounts"><thead><tr><th>Account</th><th>Password</th></tr></thead><tbody>
  ${parts.accounts.map((account) => html`<tr><td>${account.displayName} &lt;${account.upn}&gt;</td><td><code>${account.password}</code></td></tr>`)}
  </tbody></table>
</details>
<div class="shell">
  <nav class="pane" aria-label="Mailboxes and folders">
    <h2>Mailboxes</h2>
    <ul class="mailboxes">
    ${parts.mailboxes.map(
      (
        mailbox,
      ) => html`<li><a class="${mailbox.selected ? 'selected' : ''}" href="/inbox/${encodeURIComponent(mailbox.key)}/${mailbox.key === 'external' ? 'outbox' : 'inbox'}"${mailbox.selected ? html` aria-current="true"` : ''}>
      <span class="avatar tone-${tone(mailbox.key)}" aria-hidden="true">${initials(mailbox.label)}</span>
      <span class="who"><span class="name">${mailbox.label}</span><span class="detail">${mailbox.detail}</span></span>
      ${mailbox.unread ? html`<span class="count" title="${mailbox.unread} unread">${mailbox.unread}</span>` : ''}</a>
      ${mailbox.selected && parts.folders ? folderList(parts.folders) : ''}</li>`,
    )}
    </ul>
  </nav>
  <main>${parts.main}</main>
</div>
</body>
</html>`.value
  )
}

function folderList(folders: FolderLink[]): SafeHtml {
  return html`<ul class="folders">${folders.map(
    (folder) => html`<li><a class="${folder.selected ? 'selected' : ''}" href="${folder.href}">
    <span>${folder.label}</span>${folder.unread ? html`<span class="count">${folder.unread}</span>` : html`<span class="total">${folder.total || ''}</span>`}</a></li>`,
  )}</ul>`
}

export function messageList(
  heading: string,
  rows: MessageRow[],
  older: string | undefined,
  reading?: SafeHtml,
): SafeHtml {
  return html`<div class="${reading ? 'split reading' : 'split'}">
  <section class="list" aria-label="Messages">
    <h1>${heading}</h1>
    ${rows.length === 0 ? html`<p class="empty">No messages here yet. Send one from the Connect app, then Refresh.</p>` : ''}
    <ul class="messages">
    ${rows.map(
      (
        row,
      ) => html`<li><a class="${[row.unread ? 'unread' : '', row.selected ? 'selected' : ''].join(' ')}" href="${row.href}">
      <span class="from">${row.from}</span>
      <span class="date">${row.date}</span>
      <span class="subject">${row.importance === 'high' ? html`<span class="flag" title="High importance">!</span>` : ''}${row.attachments ? html`<span class="clip" title="Has attachments"></span>` : ''}${row.subject || '(no subject)'}</span>
      <span class="preview">${row.preview}</span></a></li>`,
    )}
    </ul>
    ${older ? html`<p><a class="button" href="${older}">Older messages</a></p>` : ''}
  </section>
  ${reading ? html`<section class="read" aria-label="Reading pane">${reading}</section>` : ''}
</div>`
}

export interface MessageDetail {
  subject: string
  from: string
  to: string
  cc: string
  bcc: string
  date: string
  importance: string
  folder: string
  bodyUrl: string
  back: string
  internetMessageId: string
  attachments: { name: string; size: string; href: string }[]
}

export function messageView(message: MessageDetail): SafeHtml {
  const line = (label: string, value: string) =>
    value ? html`<div><dt>${label}</dt><dd>${value}</dd></div>` : ''
  return html`<article class="message">
  <p class="back"><a href="${message.back}">← Back to ${message.folder}</a></p>
  <h1>${message.subject || '(no subject)'}</h1>
  <dl class="headers">
    ${line('From', message.from)}${line('To', message.to)}${line('Cc', message.cc)}${line('Bcc', message.bcc)}
    ${line('Date', message.date)}${message.importance !== 'normal' ? line('Importance', message.importance) : ''}
  </dl>
  ${
    message.attachments.length
      ? html`<ul class="attachments">${message.attachments.map(
          (attachment) =>
            html`<li><a href="${attachment.href}" download="${attachment.name}"><span class="clip" aria-hidden="true"></span>${attachment.name} <span class="muted">${attachment.size}</span></a></li>`,
        )}</ul>`
      : ''
  }
  <iframe class="body" sandbox="" src="${message.bodyUrl}" title="Message body"></iframe>
  <p class="muted small">Message-ID ${message.internetMessageId}</p>
</article>`
}

export function welcome(): SafeHtml {
  return html`<section class="welcome"><h1>Choose a mailbox</h1>
  <p>Pick a mailbox on the left to see its folders and messages. Mail sent to addresses outside the demo tenant is kept
  under <em>External recipients</em>.</p></section>`
}

function initials(name: string): string {
  const words = name.split(/\s+/).filter(Boolean)
  return ((words[0]?.[0] ?? '?') + (words.length > 1 ? words.at(-1)![0] : '')).toUpperCase()
}

/** A stable avatar colour per mailbox. */
function tone(key: string): number {
  let hash = 0
  for (const char of key) hash = (hash * 31 + char.charCodeAt(0)) >>> 0
  return hash % 6
}
