/** Moving a signed-in flow on: consent when needed, then the code (or the device approval), or the refusal. */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../../context.ts'
import type { User } from '../../state/directory.ts'
import { fill } from '../i18n/index.ts'
import { aadsts } from '../oauth-error.ts'
import type { DeviceRecord, Flow } from '../records.ts'
import { parseScopes } from '../scopes.ts'
import { flowTarget, sendCode, sendErrorToApp } from './authorize-response.ts'
import { saveFlow } from './flow-store.ts'
import { messagePage } from './pages.ts'
import { frameFor, renderStep } from './render-step.ts'
import { sendPage } from './send-page.ts'
import { readSession } from './sso-session.ts'

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
