// Moving a sign-in along: render the current step, continue after authentication, finish with a code.
import type { EmulatorContext } from '../../context.ts'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { User } from '../../state/directory.ts'
import { readSession, saveFlow, type Flow } from './flow.ts'
import { fill, strings } from '../i18n/index.ts'
import { aadsts } from '../oauth-error.ts'
import {
  consentPage,
  emailPage,
  kmsiPage,
  messagePage,
  passwordPage,
  pickPage,
  type PageFrame,
} from './pages.ts'
import { flowTarget, sendCode, sendErrorToApp, sendPage } from './respond.ts'
import { parseScopes } from '../scopes.ts'
import type { DeviceRecord } from '../endpoints/device-code.ts'

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

/** After the user is known and authenticated: consent when needed, then the code (or the device approval). */
export function continueSignedIn(
  context: EmulatorContext,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: Flow,
): FastifyReply {
  const user = context.directory.findUser(flow.userId ?? '')
  if (!user) return renderStep(context, request, reply, { ...flow, step: 'email' })
  const scopes = parseScopes(flow.scope)
  if (
    flow.prompt === 'consent' ||
    !context.directory.hasConsent(user.id, flow.clientId, scopes.graph)
  ) {
    flow.step = 'consent'
    saveFlow(context.identity, flow)
    return renderStep(context, request, reply, flow)
  }
  return finish(context, request, reply, flow, user)
}

export function finish(
  context: EmulatorContext,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: Flow,
  user: User,
): FastifyReply {
  if (flow.deviceCode) return finishDevice(context, reply, flow, user, true)
  return sendCode(context, reply, flow, user, readSession(context.identity, request))
}

export function declined(context: EmulatorContext, reply: FastifyReply, flow: Flow): FastifyReply {
  if (flow.deviceCode) return finishDevice(context, reply, flow, undefined, false)
  context.identity.delete('flow', flow.id)
  return sendErrorToApp(reply, flowTarget(context, reply, flow), aadsts.userDeclined())
}

function finishDevice(
  context: EmulatorContext,
  reply: FastifyReply,
  flow: Flow,
  user: User | undefined,
  approved: boolean,
): FastifyReply {
  const record = context.identity.get<DeviceRecord>('device', flow.deviceCode!)
  if (record) {
    const updated: DeviceRecord = {
      ...record,
      status: approved ? 'approved' : 'declined',
      userId: user?.id,
    }
    context.identity.put(
      'device',
      flow.deviceCode!,
      updated,
      Math.max(1, Math.ceil((record.expiresAt - Date.now()) / 1000)) + 3600,
    )
  }
  context.identity.delete('flow', flow.id)
  const frame = { ...frameFor(context, flow, false), switchHref: undefined }
  const app = context.directory.findApp(flow.clientId)?.displayName ?? flow.clientId
  const text = fill(approved ? frame.s.deviceDoneText : frame.s.deviceDeclinedText, { app })
  return sendPage(reply, messagePage(frame, app, text))
}
