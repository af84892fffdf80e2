/** Moving a signed-in flow on: consent when needed, then the code (or the device approval), or the refusal. */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../../context.ts'
import type { User } from '../../state/directory.ts'
import { fill } from '../i18n/index.ts'
import { aadsts } from '../oauth-error.ts'
import type { DeviceRecord, Flow } from '../records.ts'
import { consentNeed } from '../permissions/consent.ts'
import { parseScopes } from '../scopes.ts'
import { flowTarget, sendCode, sendErrorToApp } from './authorize-response.ts'
import { saveFlow } from './flow-store.ts'
import { messagePage } from './pages.ts'
import { frameFor, renderStep } from './render-step.ts'
import { sendPage } from './send-page.ts'
import { readSession } from './sso-session.ts'

/**
 * After the user is known and authenticated: the consent page when something is not granted yet (Entra's "Need admin
 * approval" instead when it includes a permission only an administrator may grant and the user is not one), then the
 * code (or the device approval).
 */
export function continueSignedIn(
  context: EmulatorContext,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: Flow,
): FastifyReply {
  const user = context.directory.findUser(flow.userId ?? '')
  const app = context.directory.findApp(flow.clientId)
  if (!user || !app) return renderStep(context, request, reply, { ...flow, step: 'email' })
  const scopes = parseScopes(flow.scope, app)
  const need = consentNeed(context.directory, app, user.id, scopes, flow.prompt === 'consent')
  if (need.prompt.length > 0) {
    flow.step = need.adminOnly.length > 0 && !user.isAdmin ? 'admin-approval' : 'consent'
    flow.consent = need.prompt
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
