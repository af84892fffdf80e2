// POST /{tenant}/login: the sign-in steps (email, password, stay signed in, consent, account picker, device confirm).
// The posted `ctx` names a server-side flow; each step is accepted only when the flow is at that step.
import type { EmulatorContext } from '../../context.ts'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { startSignIn } from './start-sign-in.ts'
import { stringParams } from '../checks/authorize-request.ts'
import { loadFlow, saveFlow } from './flow-store.ts'
import { readSession, signInSession } from './sso-session.ts'
import type { Flow } from '../records.ts'
import { strings, type Lang } from '../i18n/index.ts'
import { aadsts } from '../oauth-error.ts'
import { showPageError } from './page-error.ts'
import { parseScopes } from '../scopes.ts'
import { continueSignedIn, declined } from './continue-sign-in.ts'
import { renderStep } from './render-step.ts'

export async function loginRoutes(app: FastifyInstance, context: EmulatorContext): Promise<void> {
  const expired = (request: FastifyRequest, reply: FastifyReply) =>
    showPageError(
      context,
      reply,
      aadsts.malformed(),
      request.headers['accept-language']?.startsWith('fr') ? 'fr' : 'en',
    )

  // Re-shows the current step, e.g. in the other language.
  app.get<{ Querystring: Record<string, string> }>('/:tenant/login', (request, reply) => {
    const flow = loadFlow(context.identity, request.query.ctx)
    if (!flow) return expired(request, reply)
    if (request.query.lang === 'en' || request.query.lang === 'fr')
      flow.lang = request.query.lang as Lang
    saveFlow(context.identity, flow)
    return renderStep(context, request, reply, flow)
  })

  app.post('/:tenant/login', (request, reply) => {
    const form = stringParams(request.body)
    const flow = loadFlow(context.identity, form.ctx)
    if (!flow) return expired(request, reply)
    if (form.step !== flow.step) return renderStep(context, request, reply, flow)
    const s = strings[flow.lang]
    const go = (step: Flow['step'], changes: Partial<Flow> = {}) => {
      Object.assign(flow, changes, { step })
      saveFlow(context.identity, flow)
      return renderStep(context, request, reply, flow)
    }
    switch (flow.step) {
      case 'email': {
        const name = (form.loginfmt ?? '').trim()
        if (!name) return renderStep(context, request, reply, flow, { error: s.enterEmail })
        const user = context.directory.findUser(name)
        if (!user)
          return renderStep(
            context,
            request,
            reply,
            { ...flow, loginHint: name },
            { error: s.noAccount },
          )
        return go('password', { userId: user.id, loginHint: name })
      }
      case 'password': {
        if (form.back) return go('email', { userId: undefined })
        const user = context.directory.findUser(flow.userId ?? '')
        if (!user) return go('email')
        if (!form.passwd)
          return renderStep(context, request, reply, flow, { error: s.emptyPassword })
        if (form.passwd !== user.password) {
          return renderStep(context, request, reply, flow, {
            error: s.wrongPassword,
            errorCode: aadsts.badCredentials().message,
          })
        }
        return go('kmsi', { authenticated: true })
      }
      case 'kmsi': {
        if (!flow.authenticated || !flow.userId) return go('email')
        signInSession(context, request, reply, flow.userId, form.kmsi === 'yes')
        return continueAfterSession(flow)
      }
      case 'consent': {
        if (!flow.authenticated || !flow.userId) return go('email')
        if (form.consent !== 'accept') return declined(context, reply, flow)
        context.directory.grantConsent(flow.userId, flow.clientId, parseScopes(flow.scope).graph)
        return continueSignedIn(context, request, reply, { ...flow, prompt: undefined })
      }
      case 'pick': {
        const session = readSession(context.identity, request)
        if (form.account && session?.users.includes(form.account)) {
          return continueSignedIn(context, request, reply, {
            ...flow,
            userId: form.account,
            authenticated: true,
          })
        }
        return go('email', { userId: undefined, loginHint: undefined })
      }
      case 'device-confirm': {
        if (form.device !== 'continue') return declined(context, reply, flow)
        flow.step = 'email'
        saveFlow(context.identity, flow)
        return startSignIn(context, request, reply, flow)
      }
    }
    return renderStep(context, request, reply, flow)

    function continueAfterSession(current: Flow) {
      return continueSignedIn(context, request, reply, current)
    }
  })
}
