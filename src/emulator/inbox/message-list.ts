/** messageList: the list pane (a folder, all mail or a search) beside the reading pane when a message is open. */
import { html, type SafeHtml } from '../html.ts'
import type { InboxStrings } from './i18n/index.ts'

export interface MessageRow {
  href: string
  from: string
  subject: string
  preview: string
  date: SafeHtml
  unread: boolean
  importance: string
  attachments: boolean
  selected: boolean
  /** On All mail and in search results: the mailbox and folder it is kept in. */
  where?: string
}
export interface ListView {
  heading: string
  rows: MessageRow[]
  /** Said when there are no rows. */
  empty: string
  /** Under the heading (the search syntax, on a search). */
  help?: string
  newer?: string
  older?: string
  /** The open message, in the reading pane. */
  reading?: SafeHtml
}

export function messageList(s: InboxStrings, view: ListView): SafeHtml {
  return html`<div class="${view.reading ? 'split reading' : 'split'}">
  <section class="list" id="list" aria-labelledby="list-title">
    <h1 id="list-title">${view.heading}</h1>
    ${view.help ? html`<p class="help">${view.help}</p>` : ''}
    ${view.rows.length === 0 ? html`<p class="empty">${view.empty}</p>` : ''}
    <ul class="messages">
    ${view.rows.map((row) => messageRow(s, row))}
    </ul>
    ${view.newer || view.older ? paging(s, view) : ''}
  </section>
  ${view.reading ? html`<section class="read" aria-label="${s.readingPane}">${view.reading}</section>` : ''}
</div>`
}

function messageRow(s: InboxStrings, row: MessageRow): SafeHtml {
  const classes = [row.unread ? 'unread' : '', row.selected ? 'selected' : ''].join(' ').trim()
  return html`<li><a class="${classes}" href="${row.href}"${row.selected ? html` aria-current="true"` : ''}>
      <span class="from">${row.unread ? html`<span class="dot" aria-hidden="true"></span><span class="visually-hidden">${s.unread}, </span>` : ''}${row.from}</span>
      <span class="date">${row.date}</span>
      <span class="subject">${row.importance === 'high' ? html`<span class="flag" aria-hidden="true">!</span><span class="visually-hidden">${s.highImportance}, </span>` : ''}${row.attachments ? html`<span class="clip" aria-hidden="true"></span><span class="visually-hidden">${s.hasAttachments}, </span>` : ''}${row.subject || s.noSubject}</span>
      <span class="preview">${row.preview}</span>
      ${row.where ? html`<span class="where">${row.where}</span>` : ''}</a></li>`
}

function paging(s: InboxStrings, view: ListView): SafeHtml {
  return html`<p class="paging">${view.newer ? html`<a class="button" href="${view.newer}">${s.newer}</a>` : ''}
    ${view.older ? html`<a class="button" href="${view.older}">${s.older}</a>` : ''}</p>`
}
