/**
 * messageView: the reading pane — subject, actions (read flag, delete, .eml), and one of three views: the message
 * (its headers, attachments and body in a sandboxed frame), its header fields, or its MIME source as text.
 */
import { html, type SafeHtml } from '../html.ts'
import type { InboxStrings } from './i18n/index.ts'

export type MessageTab = 'message' | 'headers' | 'source'
export const MESSAGE_TABS: MessageTab[] = ['message', 'headers', 'source']

export interface MessageDetail {
  id: string
  subject: string
  from: string
  to: string
  cc: string
  bcc: string
  date: SafeHtml
  importance: string
  /** The mailbox and folder, when the list shows several. */
  where?: string
  isRead: boolean
  back: { href: string; label: string }
  /** The message's URL in this list (with its query, without the view). */
  href: string
  tab: MessageTab
  internetMessageId: string
  bodyUrl: string
  rawUrl: string
  emlName: string
  attachments: { name: string; size: string; href: string }[]
  /** The header fields, on the Headers view. */
  headers?: { name: string; value: string }[]
  /** The MIME source (perhaps cut, with the note saying so), on the Source view. */
  source?: { text: string; cut?: string }
}

export function messageView(s: InboxStrings, message: MessageDetail): SafeHtml {
  return html`<article class="message" aria-labelledby="message-title" data-id="${message.id}">
  <p class="back"><a href="${message.back.href}">← ${s.backTo(message.back.label)}</a></p>
  <h2 id="message-title">${message.subject || s.noSubject}</h2>
  ${actions(s, message)}
  ${tabs(s, message)}
  ${message.tab === 'headers' ? headerTable(s, message) : message.tab === 'source' ? source(s, message) : body(s, message)}
</article>`
}

function actions(s: InboxStrings, message: MessageDetail): SafeHtml {
  const id = encodeURIComponent(message.id)
  return html`<div class="toolbar" id="message-actions" role="group" aria-label="${s.actionsLabel}">
  <form method="post" action="/inbox/messages/${id}/read"><input type="hidden" name="isRead" value="${message.isRead ? 'false' : 'true'}"><input type="hidden" name="back" value="${withTab(message)}">
  <button class="button" type="submit">${message.isRead ? s.markUnread : s.markRead}</button></form>
  <form method="post" action="/inbox/messages/${id}/delete"><input type="hidden" name="back" value="${message.back.href}">
  <button class="button danger" type="submit">${s.delete}</button></form>
  <a class="button" href="${message.rawUrl}" download="${message.emlName}">${s.downloadEml}</a>
</div>`
}

/** The message's URL with its view, as the read-flag form comes back to it. */
function withTab(message: MessageDetail, tab = message.tab): string {
  if (tab === 'message') return message.href
  return `${message.href}${message.href.includes('?') ? '&' : '?'}view=${tab}`
}

function tabs(s: InboxStrings, message: MessageDetail): SafeHtml {
  return html`<nav class="tabs" aria-label="${s.viewsLabel}">${MESSAGE_TABS.map(
    (tab) =>
      html`<a href="${withTab(message, tab)}"${tab === message.tab ? html` aria-current="page"` : ''}>${s.views[tab]}</a>`,
  )}</nav>`
}

function body(s: InboxStrings, message: MessageDetail): SafeHtml {
  const line = (label: string, value: string | SafeHtml) =>
    value ? html`<div><dt>${label}</dt><dd>${value}</dd></div>` : ''
  return html`<dl class="headers">
    ${line(s.labels.from, message.from)}${line(s.labels.to, message.to)}${line(s.labels.cc, message.cc)}${line(s.labels.bcc, message.bcc)}
    ${line(s.labels.date, message.date)}${message.importance !== 'normal' ? line(s.labels.importance, s.importance[message.importance] ?? message.importance) : ''}
    ${message.where ? line(s.labels.mailbox, message.where) : ''}
  </dl>
  ${
    message.attachments.length
      ? html`<ul class="attachments">${message.attachments.map(
          (attachment) =>
            html`<li><a href="${attachment.href}" download="${attachment.name}"><span class="clip" aria-hidden="true"></span>${attachment.name} <span class="muted">${attachment.size}</span></a></li>`,
        )}</ul>`
      : ''
  }
  <iframe class="body" sandbox="" src="${message.bodyUrl}" title="${s.bodyTitle}"></iframe>
  <p class="muted small">${s.messageId} <code>${message.internetMessageId}</code></p>`
}

function headerTable(s: InboxStrings, message: MessageDetail): SafeHtml {
  return html`<table class="fields"><caption>${s.headersCaption}</caption>
  <thead><tr><th scope="col">${s.headerName}</th><th scope="col">${s.headerValue}</th></tr></thead>
  <tbody>${(message.headers ?? []).map(
    (field) => html`<tr><th scope="row">${field.name}</th><td>${field.value}</td></tr>`,
  )}</tbody></table>`
}

function source(s: InboxStrings, message: MessageDetail): SafeHtml {
  return html`<section class="source" aria-labelledby="source-title">
  <h3 id="source-title" class="visually-hidden">${s.sourceLabel}</h3>
  <pre tabindex="0">${message.source?.text ?? ''}</pre>
  ${message.source?.cut ? html`<p class="muted small">${message.source.cut}</p>` : ''}
</section>`
}
