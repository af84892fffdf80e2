// Moving a sign-in along: render the current step, continue after authentication, finish with a code.
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
import { flowTarget, sendCode, sendErrorToApp, sendPage, type IdentityDeps } from './respond.ts'
import { parseScopes } from '../scopes.ts'
import type { DeviceRecord } from '../endpoints/device-code.ts'

export interface StepExtras {
  error?: string
  errorCode?: string
  status?: number
}

export function frameFor(
  deps: IdentityDeps,
  flow: Pick<Flow, 'lang' | 'id' | 'tenantSegment'>,
  withDemo = true,
): PageFrame {
  const s = strings[flow.lang]
  return {
    s,
    tenantName: deps.ctx.directory.tenant.displayName,
    switchHref: `/${encodeURIComponent(flow.tenantSegment)}/login?ctx=${encodeURIComponent(flow.id)}&lang=${s.otherLanguage.code}`,
    demoUsers: withDemo ? deps.ctx.directory.listUsers() : undefined,
  }
}

export function renderStep(
  deps: IdentityDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: Flow,
  extras: StepExtras = {},
): FastifyReply {
  const frame = frameFor(deps, flow)
  const s = frame.s
  const view = {
    action: `/${encodeURIComponent(flow.tenantSegment)}/login`,
    flow: flow.id,
    error: extras.error,
    loginHint: flow.loginHint,
  }
  const user = flow.userId ? deps.ctx.directory.findUser(flow.userId) : undefined
  const app = deps.ctx.directory.findApp(flow.clientId)
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
      const session = readSession(deps.store, request)
      const accounts = (session?.users ?? [])
        .map((id) => deps.ctx.directory.findUser(id))
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
  deps: IdentityDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: Flow,
): FastifyReply {
  const user = deps.ctx.directory.findUser(flow.userId ?? '')
  if (!user) return renderStep(deps, request, reply, { ...flow, step: 'email' })
  const scopes = parseScopes(flow.scope)
  if (
    flow.prompt === 'consent' ||
    !deps.ctx.directory.hasConsent(user.id, flow.clientId, scopes.graph)
  ) {
    flow.step = 'consent'
    saveFlow(deps.store, flow)
    return renderStep(deps, request, reply, flow)
  }
  return finish(deps, request, reply, flow, user)
}

export function finish(
  deps: IdentityDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: Flow,
  user: User,
): FastifyReply {
  if (flow.deviceCode) return finishDevice(deps, reply, flow, user, true)
  return sendCode(deps, reply, flow, user, readSession(deps.store, request))
}

export function declined(deps: IdentityDeps, reply: FastifyReply, flow: Flow): FastifyReply {
  if (flow.deviceCode) return finishDevice(deps, reply, flow, undefined, false)
  deps.store.delete('flow', flow.id)
  return sendErrorToApp(reply, flowTarget(deps, reply, flow), aadsts.userDeclined())
}

function finishDevice(
  deps: IdentityDeps,
  reply: FastifyReply,
  flow: Flow,
  user: User | undefined,
  approved: boolean,
): FastifyReply {
  const record = deps.store.get<DeviceRecord>('device', flow.deviceCode!)
  if (record) {
    const updated: DeviceRecord = {
      ...record,
      status: approved ? 'approved' : 'declined',
      userId: user?.id,
    }
    deps.store.put(
      'device',
      flow.deviceCode!,
      updated,
      Math.max(1, Math.ceil((record.expiresAt - Date.now()) / 1000)) + 3600,
    )
  }
  deps.store.delete('flow', flow.id)
  const frame = { ...frameFor(deps, flow, false), switchHref: undefined }
  const app = deps.ctx.directory.findApp(flow.clientId)?.displayName ?? flow.clientId
  const text = fill(approved ? frame.s.deviceDoneText : frame.s.deviceDeclinedText, { app })
  return sendPage(reply, messagePage(frame, app, text))
}
