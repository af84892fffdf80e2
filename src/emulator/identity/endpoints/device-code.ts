// Device code flow: POST /{tenant}/oauth2/v2.0/devicecode and the verification page /devicelogin (§A6).
import type { EmulatorContext } from '../../context.ts'
import { randomInt } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { stringParams } from '../checks/authorize-request.ts'
import { createFlow } from '../sign-in/flow-store.ts'
import type { DeviceRecord } from '../records.ts'
import { html } from '../../html.ts'
import { pickLang, strings, type Lang } from '../i18n/index.ts'
import { aadsts, errorJson, newErrorIds, OAuthError } from '../oauth-error.ts'
import { layout } from '../sign-in/pages.ts'
import { sendPage } from '../sign-in/send-page.ts'
import { parseScopes } from '../scopes.ts'
import { renderStep } from '../sign-in/render-step.ts'
import { hashId, randomId } from '../identity-store.ts'

const USER_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'

export async function deviceCodeRoutes(
  app: FastifyInstance,
  context: EmulatorContext,
): Promise<void> {
  const store = context.identity
  const issue =
    (version: 1 | 2) =>
    (request: FastifyRequest<{ Params: { tenant: string } }>, reply: FastifyReply) => {
      const params = stringParams(request.body, request.query)
      try {
        const tenant = context.directory.resolveTenant(request.params.tenant)
        if (!tenant) throw aadsts.tenantNotFound(request.params.tenant)
        if (!params.client_id) throw aadsts.missingParameter('client_id')
        if (!context.directory.findApp(params.client_id))
          throw aadsts.unknownClient(params.client_id, request.params.tenant)
        const scope =
          version === 1
            ? `openid ${params.resource ?? 'https://graph.microsoft.com'}/.default`
            : params.scope
        if (!scope) throw aadsts.missingParameter('scope')
        parseScopes(scope)
        const deviceCode = randomId(48)
        const userCode = Array.from(
          { length: 9 },
          () => USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)],
        ).join('')
        const lifetime = context.options.deviceCodeLifetimeSeconds
        const record: DeviceRecord = {
          userCode,
          clientId: params.client_id,
          scope,
          tenantSegment: request.params.tenant,
          status: 'pending',
          tenantId: context.directory.tenant.id,
          expiresAt: Date.now() + lifetime * 1000,
        }
        store.put('device', hashId(deviceCode), record, lifetime + 3600)
        store.put('user-code', userCode, hashId(deviceCode), lifetime)
        const uri = `${context.forRequest(request).publicUrl()}/devicelogin`
        const message = `To sign in, use a web browser to open the page ${uri} and enter the code ${userCode} to authenticate.`
        const body =
          version === 2
            ? {
                user_code: userCode,
                device_code: deviceCode,
                verification_uri: uri,
                expires_in: lifetime,
                interval: context.options.deviceCodeIntervalSeconds,
                message,
              }
            : {
                user_code: userCode,
                device_code: deviceCode,
                verification_url: uri,
                expires_in: String(lifetime),
                interval: String(context.options.deviceCodeIntervalSeconds),
                message,
              }
        return reply.header('cache-control', 'no-store, no-cache').send(body)
      } catch (error) {
        if (!(error instanceof OAuthError)) throw error
        return reply
          .code(error.status)
          .send(errorJson(error, newErrorIds(params['client-request-id'])))
      }
    }
  app.post('/:tenant/oauth2/v2.0/devicecode', issue(2))
  app.post('/:tenant/oauth2/devicecode', issue(1))

  const page = (lang: Lang, error?: string) => {
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
  const langOf = (request: FastifyRequest, explicit?: string) =>
    pickLang(explicit, request.headers['accept-language'])
  for (const path of ['/devicelogin', '/common/oauth2/deviceauth']) {
    app.get<{ Querystring: Record<string, string> }>(path, (request, reply) =>
      sendPage(reply, page(langOf(request, request.query.lang))),
    )
  }
  app.post('/devicelogin', (request, reply) => {
    const form = stringParams(request.body)
    const lang = langOf(request, form.lang)
    const userCode = (form.otc ?? '').toUpperCase().replace(/[^A-Z0-9]/g, '')
    const deviceHash = userCode ? store.get<string>('user-code', userCode) : undefined
    const record = deviceHash ? store.get<DeviceRecord>('device', deviceHash) : undefined
    if (!record || record.status !== 'pending')
      return sendPage(reply, page(lang, strings[lang].deviceBadCode), 400)
    if (record.expiresAt <= Date.now())
      return sendPage(reply, page(lang, strings[lang].deviceExpired), 400)
    const flow = createFlow(store, {
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
