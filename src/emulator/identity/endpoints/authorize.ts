/** GET|POST /{tenant}/oauth2/v2.0/authorize and v1 /{tenant}/oauth2/authorize: checks, then SSO or the sign-in pages. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../../context.ts'
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
import { pickLang, type Lang } from '../i18n/index.ts'
import { OAuthError } from '../oauth-error.ts'
import type { Flow } from '../records.ts'
import { responseIssuer, sendErrorToApp } from '../sign-in/authorize-response.ts'
import { createFlow } from '../sign-in/flow-store.ts'
import { showPageError } from '../sign-in/page-error.ts'
import { startSignIn } from '../sign-in/start-sign-in.ts'

// Checks up to and including the redirect URI answer on a page; the ones after it redirect to the app.
const PAGE_CHECKS: AuthorizeCheck[] = [
  checkTenant,
  checkClient,
  checkRedirectUri,
  checkResponseMode,
]
const REDIRECT_CHECKS: AuthorizeCheck[] = [checkResponseType, checkScope, checkPkce, checkPrompt]

type AuthorizeHttpRequest = FastifyRequest<{ Params: { tenant: string } }>

export async function authorizeRoutes(
  app: FastifyInstance,
  context: EmulatorContext,
): Promise<void> {
  const handler = (version: 1 | 2) => (request: AuthorizeHttpRequest, reply: FastifyReply) =>
    authorize(context, version, request, reply)
  app.get('/:tenant/oauth2/v2.0/authorize', handler(2))
  app.post('/:tenant/oauth2/v2.0/authorize', handler(2))
  app.get('/:tenant/oauth2/authorize', handler(1))
  app.post('/:tenant/oauth2/authorize', handler(1))
}

function authorize(
  context: EmulatorContext,
  version: 1 | 2,
  request: AuthorizeHttpRequest,
  reply: FastifyReply,
): FastifyReply {
  const params = stringParams(request.method === 'POST' ? request.body : undefined, request.query)
  const checked: AuthorizeRequest = {
    context,
    params,
    version,
    tenantSegment: request.params.tenant,
    responseMode: 'query',
  }
  const lang = pickLang(params.ui_locales ?? params.mkt, request.headers['accept-language'])
  try {
    for (const check of PAGE_CHECKS) check(checked)
  } catch (error) {
    if (!(error instanceof PageError || error instanceof OAuthError)) throw error
    const oauth = error instanceof PageError ? error.oauth : error
    return showPageError(context, reply, oauth, lang, params['client-request-id'])
  }
  const tenant = checked.tenant!
  const tenantId = typeof tenant === 'string' ? context.directory.tenant.id : tenant.id
  try {
    for (const check of REDIRECT_CHECKS) check(checked)
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error
    const target = {
      redirectUri: checked.redirectUri!,
      responseMode: checked.responseMode,
      state: params.state,
      clientRequestId: params['client-request-id'],
      lang,
      iss: responseIssuer(context, reply, tenantId, version),
    }
    return sendErrorToApp(reply, target, error)
  }
  const flow = createFlow(context.identity, flowOf(checked, tenantId, lang))
  return startSignIn(context, request, reply, flow)
}

/** The sign-in an authorize request that passed every check starts. */
function flowOf(checked: AuthorizeRequest, tenantId: string, lang: Lang): Omit<Flow, 'id'> {
  const { params, version } = checked
  return {
    tenantSegment: checked.tenantSegment,
    tenantId,
    version,
    clientId: checked.app!.clientId,
    redirectUri: checked.redirectUri!,
    responseMode: checked.responseMode,
    state: params.state,
    nonce: params.nonce,
    scope: checked.scopeString!,
    resource: version === 1 ? (params.resource ?? 'https://graph.microsoft.com') : undefined,
    codeChallenge: checked.codeChallenge,
    codeChallengeMethod: checked.codeChallengeMethod,
    prompt: checked.prompt,
    loginHint: params.login_hint,
    clientInfo: params.client_info === '1',
    clientRequestId: params['client-request-id'],
    lang,
    step: 'email',
    authenticated: false,
  }
}
