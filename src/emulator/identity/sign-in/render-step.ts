/** renderStep: the page of a sign-in's current step (email, password, stay signed in, consent, picker, device). */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../../context.ts'
import type { User } from '../../state/directory.ts'
import { fill, strings } from '../i18n/index.ts'
import type { Flow } from '../records.ts'
import { parseScopes } from '../scopes.ts'
import {
  consentPage,
  emailPage,
  kmsiPage,
  messagePage,
  passwordPage,
  pickPage,
  type PageFrame,
} from './pages.ts'
import { sendPage } from './send-page.ts'
import { readSession } from './sso-session.ts'

export interface StepExtras {
  error?: string
  errorCode?: string
  status?: number
}

export function frameFor(
  context: EmulatorContext,
  flow: Pick<Flow, 'lang' | 'id' | 'tenantSegment'>,
  withDemo = true,
): PageFrame {
  const s = strings[flow.lang]
  return {
    s,
    tenantName: context.directory.tenant.displayName,
    switchHref: `/${encodeURIComponent(flow.tenantSegment)}/login?ctx=${encodeURIComponent(flow.id)}&lang=${s.otherLanguage.code}`,
    demoUsers: withDemo ? context.directory.listUsers() : undefined,
  }
}

export function renderStep(
  context: EmulatorContext,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: Flow,
  extras: StepExtras = {},
): FastifyReply {
  const frame = frameFor(context, flow)
  const s = frame.s
  const view = {
    action: `/${encodeURIComponent(flow.tenantSegment)}/login`,
    flow: flow.id,
    error: extras.error,
    loginHint: flow.loginHint,
  }
  const user = flow.userId ? context.directory.findUser(flow.userId) : undefined
  const app = context.directory.findApp(flow.clientId)
  const status = extras.status ?? 200
  switch (flow.step) {
    case 'password':
      return sendPage(
        reply,
        passwordPage(frame, { ...view, user, errorCode: extras.errorCode }),
        status,
      )
    case 'kmsi':
      return sendPage(
        reply,
        kmsiPage({ ...frame, demoUsers: undefined }, { ...view, user }),
        status,
      )
    case 'consent': {
      const scopes = parseScopes(flow.scope)
      const permissions = [
        ...scopes.graph,
        ...scopes.oidc.filter((name) => name !== 'openid'),
        ...(scopes.offline ? ['offline_access'] : []),
      ]
      return sendPage(
        reply,
        consentPage(
          { ...frame, demoUsers: undefined },
          { ...view, user, appName: app?.displayName ?? flow.clientId, permissions },
        ),
        status,
      )
    }
    case 'pick': {
      const session = readSession(context.identity, request)
      const accounts = (session?.users ?? [])
        .map((id) => context.directory.findUser(id))
        .filter((found): found is User => !!found)
      return sendPage(
        reply,
        pickPage({ ...frame, demoUsers: undefined }, { ...view, accounts }),
        status,
      )
    }
    case 'device-confirm': {
      const title = fill(s.deviceConfirmTitle, { app: app?.displayName ?? flow.clientId })
      return sendPage(reply, deviceConfirmPage(frame, view, title, s.deviceConfirmText), status)
    }
    default:
      return sendPage(reply, emailPage(frame, view), status)
  }
}

function deviceConfirmPage(
  frame: PageFrame,
  view: { action: string; flow: string },
  title: string,
  text: string,
): string {
  return messagePage({ ...frame, demoUsers: undefined }, title, text).replace(
    '</section>',
    `<form method="post" action="${view.action}"><input type="hidden" name="ctx" value="${view.flow}">` +
      `<input type="hidden" name="step" value="device-confirm"><div class="buttons">` +
      `<button id="idBtn_Back" class="secondary" type="submit" name="device" value="cancel">${frame.s.cancel}</button>` +
      `<button id="idSIButton9" class="primary" type="submit" name="device" value="continue">${frame.s.continue}</button></div></form></section>`,
  )
}
