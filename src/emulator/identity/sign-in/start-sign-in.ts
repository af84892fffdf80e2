/** startSignIn: where a new sign-in begins: single sign-on when the session allows it, else the first page. */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../../context.ts'
import { aadsts, type OAuthError } from '../oauth-error.ts'
import type { Flow } from '../records.ts'
import { consentNeed } from '../permissions/consent.ts'
import { parseScopes } from '../scopes.ts'
import { flowTarget, sendErrorToApp } from './authorize-response.ts'
import { continueSignedIn } from './continue-sign-in.ts'
import { saveFlow } from './flow-store.ts'
import { renderStep } from './render-step.ts'
import { readSession } from './sso-session.ts'

/** SSO first (prompt=none/select_account/login decide), else the email or password step. */
export function startSignIn(
  context: EmulatorContext,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: Flow,
): FastifyReply {
  const { directory } = context
  const session = readSession(context.identity, request)
  const signedIn = (session?.users ?? [])
    .map((id) => directory.findUser(id))
    .filter((user) => user !== undefined)
  const hinted = flow.loginHint ? directory.findUser(flow.loginHint) : undefined
  const sessionUser = hinted
    ? signedIn.find((user) => user.id === hinted.id)
    : signedIn.length === 1
      ? signedIn[0]
      : undefined

  if (flow.prompt === 'none') {
    const fail = (error: OAuthError) => {
      context.identity.delete('flow', flow.id)
      return sendErrorToApp(reply, flowTarget(context, reply, flow), error)
    }
    if (signedIn.length === 0 || (flow.loginHint && !sessionUser))
      return fail(aadsts.loginRequired())
    if (!sessionUser) return fail(aadsts.interactionRequired())
    const app = directory.findApp(flow.clientId)!
    const need = consentNeed(directory, app, sessionUser.id, parseScopes(flow.scope, app))
    if (need.prompt.length > 0)
      return fail(aadsts.consentRequiredSilently(app.clientId, app.displayName))
    return continueSignedIn(context, request, reply, {
      ...flow,
      userId: sessionUser.id,
      authenticated: true,
    })
  }
  if (flow.prompt !== 'login' && !flow.deviceCode) {
    if (signedIn.length > 0 && (flow.prompt === 'select_account' || !sessionUser)) {
      if (!hinted || flow.prompt === 'select_account')
        return renderStep(context, request, reply, saveStep(context, { ...flow, step: 'pick' }))
    }
    if (sessionUser)
      return continueSignedIn(context, request, reply, {
        ...flow,
        userId: sessionUser.id,
        authenticated: true,
      })
  }
  if (hinted)
    return renderStep(
      context,
      request,
      reply,
      saveStep(context, { ...flow, userId: hinted.id, step: 'password' }),
    )
  return renderStep(context, request, reply, flow)
}

function saveStep(context: EmulatorContext, flow: Flow): Flow {
  saveFlow(context.identity, flow)
  return flow
}
