/**
 * adminApprovalPage: Entra's "Need admin approval" (AADSTS90094), shown instead of the consent page when an app asks a
 * user who is not an administrator for a permission only an administrator may grant.
 */
import { html } from '../../html.ts'
import { fill } from '../i18n/index.ts'
import { aadsts, entraTimestamp, newErrorIds } from '../oauth-error.ts'
import { consentWords } from '../permissions/consent-words.ts'
import { backForm, buttons, hidden, layout, type PageFrame, type StepView } from './pages.ts'

export function adminApprovalPage(frame: PageFrame, view: StepView & { appName: string }): string {
  const { s } = frame
  const words = consentWords[s.lang === 'fr' ? 'fr' : 'en']
  const ids = newErrorIds()
  const message = aadsts.adminConsentRequired().message
  return layout(
    frame,
    words.approvalTitle,
    html`${view.user ? html`<p class="identity">${view.user.userPrincipalName}</p>` : ''}
<h1 id="page-title">${words.approvalTitle}</h1>
<p class="app-name"><strong>${view.appName}</strong></p>
<p>${fill(words.approvalText, { app: view.appName })}</p>
<form method="post" action="${view.action}">
${hidden(view, 'admin-approval')}
${buttons({ label: words.approvalReturn, name: 'admin', value: 'return' }, { label: words.approvalSignIn, name: 'admin', value: 'signin' })}
</form>
${backForm(view, 'admin-approval')}
<details><summary>${s.troubleshooting}</summary>
<dl class="details"><dt>${s.requestId}</dt><dd>${ids.traceId}</dd><dt>${s.correlationId}</dt><dd>${ids.correlationId}</dd>
<dt>${s.timestamp}</dt><dd>${entraTimestamp(ids.now)}</dd><dt>${s.message}</dt><dd>${message}</dd></dl></details>`,
  )
}
