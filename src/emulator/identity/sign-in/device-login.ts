/** The device code verification page, GET|POST /devicelogin: the user code leads to the sign-in pages. */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../../context.ts'
import { html } from '../../html.ts'
import { stringParams } from '../checks/authorize-request.ts'
import { pickLang, strings, type Lang } from '../i18n/index.ts'
import type { DeviceRecord } from '../records.ts'
import { createFlow } from './flow-store.ts'
import { layout } from './pages.ts'
import { renderStep } from './render-step.ts'
import { sendPage } from './send-page.ts'

export async function deviceLoginRoutes(
  app: FastifyInstance,
  context: EmulatorContext,
): Promise<void> {
  const langOf = (request: FastifyRequest, explicit?: string) =>
    pickLang(explicit, request.headers['accept-language'])
  for (const path of ['/devicelogin', '/common/oauth2/deviceauth']) {
    app.get<{ Querystring: Record<string, string> }>(path, (request, reply) =>
      sendPage(reply, codePage(context, langOf(request, request.query.lang))),
    )
  }
  app.post('/devicelogin', (request, reply) => {
    const form = stringParams(request.body)
    const lang = langOf(request, form.lang)
    const userCode = (form.otc ?? '').toUpperCase().replace(/[^A-Z0-9]/g, '')
    const deviceHash = userCode ? context.identity.get<string>('user-code', userCode) : undefined
    const record = deviceHash ? context.identity.get<DeviceRecord>('device', deviceHash) : undefined
    if (!record || record.status !== 'pending')
      return sendPage(reply, codePage(context, lang, strings[lang].deviceBadCode), 400)
    if (record.expiresAt <= Date.now())
      return sendPage(reply, codePage(context, lang, strings[lang].deviceExpired), 400)
    const flow = createFlow(context.identity, {
      tenantSegment: record.tenantSegment,
      tenantId: record.tenantId,
      version: 2,
      clientId: record.clientId,
      redirectUri: '',
      responseMode: 'query',
      scope: record.scope,
      clientInfo: false,
      lang,
      step: 'device-confirm',
      authenticated: false,
      deviceCode: deviceHash,
    })
    return renderStep(context, request, reply, flow)
  })
}

/** "Enter code", with the error of a wrong or expired code. */
function codePage(context: EmulatorContext, lang: Lang, error?: string): string {
  const s = strings[lang]
  const frame = {
    s,
    tenantName: context.directory.tenant.displayName,
    switchHref: `/devicelogin?lang=${s.otherLanguage.code}`,
  }
  return layout(
    frame,
    s.deviceTitle,
    html`<h1 id="page-title">${s.deviceTitle}</h1>
<p>${s.deviceText}</p>
<form method="post" action="/devicelogin">
<input type="hidden" name="lang" value="${lang}">
<label for="otc" class="visually-hidden">${s.deviceCodeLabel}</label>
<input id="otc" name="otc" type="text" placeholder="${s.deviceCodeLabel}" autocomplete="one-time-code" autofocus required
 ${error ? html`aria-invalid="true" aria-describedby="error"` : ''}>
${error ? html`<p class="error" id="error" role="alert">${error}</p>` : ''}
<div class="buttons"><button id="idSIButton9" class="primary" type="submit">${s.next}</button></div>
</form>`,
  )
}
