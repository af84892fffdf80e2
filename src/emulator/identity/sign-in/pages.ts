/**
 * The sign-in pages, with Entra's element ids (#i0116, #i0118, #idSIButton9, #idBtn_Back) and no inline code. Enter
 * means the primary button (#idSIButton9): #idBtn_Back submits a form of its own, so it is never a step's default
 * button; on the pages without a field ("Stay signed in?", consent) the primary button has the focus.
 */
import type { User } from '../../state/directory.ts'
import { html, type SafeHtml } from '../../html.ts'
import { fill } from '../i18n/index.ts'
import type { Strings } from '../i18n/en.ts'

export const ASSETS = '/_assets/identity'
/** The emulator's icon, linked from every page it serves (served by faviconRoutes). */
export const FAVICON = '/favicon.svg'

export interface PageFrame {
  s: Strings
  tenantName: string
  /** Link to the same step in the other language. */
  switchHref?: string
  /** Shown in the "Demo accounts" panel. */
  demoUsers?: User[]
  /** On the password step: only this user's demo password. */
  demoFocus?: User
}

export function layout(frame: PageFrame, title: string, body: SafeHtml): string {
  const { s } = frame
  return html`<!doctype html>
<html lang="${s.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="none">
<title>${title}</title>
<link rel="icon" href="${FAVICON}" type="image/svg+xml">
<link rel="stylesheet" href="${ASSETS}/sign-in.css">
<script src="${ASSETS}/sign-in.js" defer></script>
</head>
<body>
<main class="stack">
<section class="card" aria-labelledby="page-title">
<div class="brand"><img src="${ASSETS}/logo.svg" alt="" width="24" height="24"><span>${frame.tenantName}</span></div>
${body}
</section>
${demoPanel(frame)}
</main>
<footer class="footer">
${frame.switchHref ? html`<a href="${frame.switchHref}" lang="${s.otherLanguage.code}" hreflang="${s.otherLanguage.code}">${s.otherLanguage.label}</a>` : ''}
<span>Graph Connect emulator</span>
</footer>
</body>
</html>`.value
}

function demoPanel({ s, demoUsers, demoFocus }: PageFrame): SafeHtml | '' {
  const users = demoFocus ? [demoFocus] : demoUsers
  if (!users?.length) return ''
  return html`<section class="card demo" aria-labelledby="demo-title">
<h2 id="demo-title">${s.demoTitle}</h2>
<p>${s.demoIntro}</p>
<ul class="accounts">
${users.map(
  (
    user,
  ) => html`<li><button type="button" class="account" data-email="${user.userPrincipalName}" data-password="${user.password}">
<img src="${ASSETS}/person.svg" alt="" width="32" height="32"><span class="who"><span class="name">${user.displayName}</span>
<span class="upn">${user.userPrincipalName}</span><span class="password">${s.demoPassword} <code>${user.password}</code></span></span>
</button></li>`,
)}
</ul>
</section>`
}

export interface StepView {
  /** POST target. */
  action: string
  /** Opaque in-flight id. */
  flow: string
  error?: string
  /** E.g. the AADSTS text behind a friendly error. */
  errorCode?: string
  user?: User
  loginHint?: string
}

export const hidden = (view: StepView, step: string) =>
  html`<input type="hidden" name="ctx" value="${view.flow}"><input type="hidden" name="step" value="${step}">`

const errorText = (error?: string, id = 'error') =>
  error ? html`<p class="error" id="${id}" role="alert">${error}</p>` : ''

const identity = (user: User) => html`<p class="identity">${user.userPrincipalName}</p>`

const BACK_FORM = 'idBackForm'

/** The form of the secondary button (#idBtn_Back, tied to it by `form`): the step's hidden fields, nothing else. */
export const backForm = (view: StepView, step: string) =>
  html`<form id="${BACK_FORM}" method="post" action="${view.action}">${hidden(view, step)}</form>`

/** The step's two buttons: #idBtn_Back (in the back form) first on screen, #idSIButton9 the form's default. */
export function buttons(
  back: { label: string; name: string; value: string },
  primary: { label: string; name?: string; value?: string; focus?: boolean },
) {
  return html`<div class="buttons"><button id="idBtn_Back" class="secondary" type="submit" form="${BACK_FORM}" name="${back.name}" value="${back.value}">${back.label}</button>
<button id="idSIButton9" class="primary" type="submit"${primary.name ? html` name="${primary.name}" value="${primary.value}"` : ''}${primary.focus ? html` autofocus` : ''}>${primary.label}</button></div>`
}

export function emailPage(frame: PageFrame, view: StepView): string {
  const { s } = frame
  return layout(
    { ...frame },
    s.signIn,
    html`<h1 id="page-title">${s.signIn}</h1>
<form method="post" action="${view.action}" novalidate>
${hidden(view, 'email')}
<label for="i0116" class="visually-hidden">${s.emailLabel}</label>
<input id="i0116" name="loginfmt" type="email" value="${view.loginHint ?? ''}" placeholder="${s.emailPlaceholder}"
 autocomplete="username" autofocus required${view.error ? html` aria-invalid="true" aria-describedby="error"` : ''}>
${errorText(view.error)}
<div class="buttons"><button id="idSIButton9" class="primary" type="submit">${s.next}</button></div>
</form>`,
  )
}

export function passwordPage(frame: PageFrame, view: StepView): string {
  const { s } = frame
  return layout(
    { ...frame, demoFocus: view.user },
    s.enterPassword,
    html`${identity(view.user!)}
<h1 id="page-title">${s.enterPassword}</h1>
<form method="post" action="${view.action}" novalidate>
${hidden(view, 'password')}
<input type="hidden" name="loginfmt" value="${view.user!.userPrincipalName}" autocomplete="username">
<label for="i0118" class="visually-hidden">${s.passwordLabel}</label>
<input id="i0118" name="passwd" type="password" placeholder="${s.passwordLabel}" autocomplete="current-password"
 autofocus required${view.error ? html` aria-invalid="true" aria-describedby="error"` : ''}>
${errorText(view.error)}${view.errorCode ? html`<p class="fine">${view.errorCode}</p>` : ''}
${buttons({ label: s.back, name: 'back', value: '1' }, { label: s.signIn })}
</form>
${backForm(view, 'password')}`,
  )
}

export function kmsiPage(frame: PageFrame, view: StepView): string {
  const { s } = frame
  return layout(
    frame,
    s.stayTitle,
    html`${identity(view.user!)}
<h1 id="page-title">${s.stayTitle}</h1>
<p>${s.stayText}</p>
<form method="post" action="${view.action}">
${hidden(view, 'kmsi')}
${buttons({ label: s.no, name: 'kmsi', value: 'no' }, { label: s.yes, name: 'kmsi', value: 'yes', focus: true })}
</form>
${backForm(view, 'kmsi')}`,
  )
}

/** A permission on the consent page: Microsoft's consent texts, and a note when only an admin may grant it. */
export interface ConsentItem {
  title: string
  description: string
  note?: string
}

/** `organization`: the administrator's "Consent on behalf of your organization" checkbox label. */
export function consentPage(
  frame: PageFrame,
  view: StepView & { appName: string; permissions: ConsentItem[]; organization?: string },
): string {
  const { s } = frame
  return layout(
    frame,
    s.consentTitle,
    html`${identity(view.user!)}
<h1 id="page-title">${s.consentTitle}</h1>
<p class="app-name"><strong>${view.appName}</strong> <span class="note">${s.consentAppNote}</span></p>
<p>${s.consentIntro}</p>
<ul class="permissions">${view.permissions.map(
      (item) =>
        html`<li><details><summary>${item.title}</summary><p class="fine">${item.description}</p></details>${item.note ? html`<span class="note">${item.note}</span>` : ''}</li>`,
    )}</ul>
<p class="fine">${s.consentFooter}</p>
<form method="post" action="${view.action}">
${hidden(view, 'consent')}
${view.organization ? html`<p class="organization"><label><input type="checkbox" name="organization" id="organization"> ${view.organization}</label></p>` : ''}
${buttons({ label: s.cancel, name: 'consent', value: 'cancel' }, { label: s.accept, name: 'consent', value: 'accept', focus: true })}
</form>
${backForm(view, 'consent')}`,
  )
}

export function pickPage(frame: PageFrame, view: StepView & { accounts: User[] }): string {
  const { s } = frame
  return layout(
    frame,
    s.pickTitle,
    html`<h1 id="page-title">${s.pickTitle}</h1>
<form method="post" action="${view.action}">
${hidden(view, 'pick')}
<ul class="tiles">${view.accounts.map(
      (user) => html`<li><button type="submit" name="account" value="${user.id}" class="tile">
<span class="name">${user.displayName}</span><span class="upn">${user.userPrincipalName}</span><span class="upn">${s.signedInLabel}</span></button></li>`,
    )}
<li><button type="submit" name="account" value="other" class="tile" id="otherTile">${s.useAnother}</button></li></ul>
</form>`,
  )
}

/** The device-code flow's "Are you trying to sign in to …?": Cancel, or Continue (focused, Enter's button). */
export function deviceConfirmPage(
  frame: PageFrame,
  view: StepView,
  title: string,
  text: string,
): string {
  const { s } = frame
  return layout(
    frame,
    title,
    html`<h1 id="page-title">${title}</h1><p>${text}</p>
<form method="post" action="${view.action}">
${hidden(view, 'device-confirm')}
${buttons({ label: s.cancel, name: 'device', value: 'cancel' }, { label: s.continue, name: 'device', value: 'continue', focus: true })}
</form>
${backForm(view, 'device-confirm')}`,
  )
}

export function messagePage(frame: PageFrame, title: string, text: string): string {
  return layout(frame, title, html`<h1 id="page-title">${title}</h1><p>${text}</p>`)
}

export function errorPage(
  frame: PageFrame,
  details: { message: string; requestId: string; correlationId: string; timestamp: string },
): string {
  const { s } = frame
  return layout(
    frame,
    s.signIn,
    html`<h1 id="page-title">${s.signIn}</h1>
<p class="error-title">${s.errorTitle}</p>
<p class="error" role="alert">${details.message}</p>
<details open><summary>${s.troubleshooting}</summary>
<dl class="details"><dt>${s.requestId}</dt><dd>${details.requestId}</dd><dt>${s.correlationId}</dt><dd>${details.correlationId}</dd>
<dt>${s.timestamp}</dt><dd>${details.timestamp}</dd><dt>${s.message}</dt><dd>${details.message}</dd></dl></details>`,
  )
}

export function formPostPage(s: Strings, action: string, fields: Record<string, string>): string {
  return html`<!doctype html>
<html lang="${s.lang}"><head><meta charset="utf-8"><title>${s.formPostTitle}</title>
<link rel="icon" href="${FAVICON}" type="image/svg+xml">
<script src="${ASSETS}/form-post.js" defer></script></head>
<body><form method="POST" name="hiddenform" action="${action}">
${Object.entries(fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="${s.formPostContinue}"></noscript>
</form></body></html>`.value
}

export const deviceText = (text: string, app: string) => fill(text, { app })
