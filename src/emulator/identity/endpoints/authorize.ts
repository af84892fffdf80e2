// GET|POST /{tenant}/oauth2/v2.0/authorize and v1 /{tenant}/oauth2/authorize: checks, then SSO or the sign-in steps.
import type { EmulatorContext } from '../../context.ts'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import {
  PageError,
  stringParams,
  type AuthorizeCheck,
  type AuthorizeRequest,
} from '../checks/authorize-request.ts'
import { checkClient } from '../checks/check-client.ts'
import { checkPkce } from '../checks/check-pkce.ts'
import { checkPrompt } from '../checks/check-prompt.ts'
import { checkRedirectUri } from '../checks/check-redirect-uri.ts'
import { checkResponseMode } from '../checks/check-response-mode.ts'
import { checkResponseType } from '../checks/check-response-type.ts'
import { checkScope } from '../checks/check-scope.ts'
import { checkTenant } from '../checks/check-tenant.ts'
import { createFlow, readSession, saveFlow, type Flow } from '../sign-in/flow.ts'
import { pickLang } from '../i18n/index.ts'
import { aadsts, OAuthError } from '../oauth-error.ts'
import { flowTarget, responseIssuer, sendErrorToApp } from '../sign-in/respond.ts'
import { parseScopes } from '../scopes.ts'
import { showPageError } from '../sign-in/page-error.ts'
import { continueSignedIn, renderStep } from '../sign-in/steps.ts'

// Checks up to and including the redirect URI answer on a page; the ones after it redirect to the app.
const PAGE_CHECKS: AuthorizeCheck[] = [
  checkTenant,
  checkClient,
  checkRedirectUri,
  checkResponseMode,
]
const REDIRECT_CHECKS: AuthorizeCheck[] = [checkResponseType, checkScope, checkPkce, checkPrompt]

export async function authorizeRoutes(
  app: FastifyInstance,
  context: EmulatorContext,
): Promise<void> {
  const handler =
    (version: 1 | 2) =>
    (request: FastifyRequest<{ Params: { tenant: string } }>, reply: FastifyReply) => {
      const params = stringParams(
        request.method === 'POST' ? request.body : undefined,
        request.query,
      )
      const authorize: AuthorizeRequest = {
        context: context,
        params,
        version,
        tenantSegment: request.params.tenant,
        responseMode: 'query',
      }
      const lang = pickLang(params.ui_locales ?? params.mkt, request.headers['accept-language'])
      try {
        for (const check of PAGE_CHECKS) check(authorize)
      } catch (error) {
        if (error instanceof PageError || error instanceof OAuthError) {
          return showPageError(
            context,
            reply,
            error instanceof PageError ? error.oauth : error,
            lang,
            params['client-request-id'],
          )
        }
        throw error
      }
      const tenant = authorize.tenant!
      const tenantId = typeof tenant === 'string' ? context.directory.tenant.id : tenant.id
      const iss = responseIssuer(context, reply, tenantId, version)
      const target = {
        redirectUri: authorize.redirectUri!,
        responseMode: authorize.responseMode,
        state: params.state,
        clientRequestId: params['client-request-id'],
        lang,
        iss,
      }
      try {
        for (const check of REDIRECT_CHECKS) check(authorize)
      } catch (error) {
        if (error instanceof OAuthError) return sendErrorToApp(reply, target, error)
        throw error
      }
      const flow = createFlow(context.identity, {
        tenantSegment: request.params.tenant,
        tenantId,
        version,
        clientId: authorize.app!.clientId,
        redirectUri: authorize.redirectUri!,
        responseMode: authorize.responseMode,
        state: params.state,
        nonce: params.nonce,
        scope: authorize.scopeString!,
        resource: version === 1 ? (params.resource ?? 'https://graph.microsoft.com') : undefined,
        codeChallenge: authorize.codeChallenge,
        codeChallengeMethod: authorize.codeChallengeMethod,
        prompt: authorize.prompt,
        loginHint: params.login_hint,
        clientInfo: params.client_info === '1',
        clientRequestId: params['client-request-id'],
        lang,
        step: 'email',
        authenticated: false,
      })
      return startSignIn(context, request, reply, flow)
    }
  app.get('/:tenant/oauth2/v2.0/authorize', handler(2))
  app.post('/:tenant/oauth2/v2.0/authorize', handler(2))
  app.get('/:tenant/oauth2/authorize', handler(1))
  app.post('/:tenant/oauth2/authorize', handler(1))
}

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
    const graph = parseScopes(flow.scope).graph
    if (!directory.hasConsent(sessionUser.id, flow.clientId, graph))
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
