/** POST /{tenant}/oauth2/v2.0/token and v1 /{tenant}/oauth2/token: tenant, grant type, client, then the grant. */
import type { EmulatorContext } from '../../context.ts'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { authenticateClient } from '../checks/authenticate-client.ts'
import { stringParams } from '../checks/authorize-request.ts'
import { authorizationCodeGrant } from '../grants/authorization-code.ts'
import { clientCredentialsGrant } from '../grants/client-credentials.ts'
import { deviceCodeGrant } from '../grants/device-code.ts'
import type { Grant } from '../grants/grant.ts'
import { passwordGrant } from '../grants/password.ts'
import { refreshTokenGrant } from '../grants/refresh-token.ts'
import { aadsts, errorJson, newErrorIds, OAuthError } from '../oauth-error.ts'
import { checkTokenLoop, withholdScopes } from '../token-limits.ts'

const GRANTS: Record<string, Grant> = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
  client_credentials: clientCredentialsGrant,
  device_code: deviceCodeGrant,
  'urn:ietf:params:oauth:grant-type:device_code': deviceCodeGrant,
  password: passwordGrant,
}
// Entra answers public-client flows without a credential; these grants decide for themselves.
const PUBLIC_GRANTS = new Set([
  'device_code',
  'urn:ietf:params:oauth:grant-type:device_code',
  'password',
])

type TokenRequest = FastifyRequest<{ Params: { tenant: string } }>

export async function tokenRoutes(app: FastifyInstance, root: EmulatorContext): Promise<void> {
  const handler = (version: 1 | 2) => async (request: TokenRequest, reply: FastifyReply) => {
    const context = root.forRequest(request) // issuers and the client-assertion audience use the name the client used
    const params = stringParams(request.body, request.query)
    const correlationId = params['client-request-id'] ?? header(request, 'client-request-id')
    void reply
      .header('cache-control', 'no-store, no-cache')
      .header('pragma', 'no-cache')
      .header('x-ms-request-id', request.id)
      .header('x-ms-ests-server', 'emulator')
    if (correlationId) void reply.header('client-request-id', correlationId)
    try {
      const issued = await token(context, request, params, version)
      const withheld = request.journalTrace?.action?.withholdScopes // a scripted down-scoped grant
      const body = withheld ? await withholdScopes(context, issued, withheld) : issued
      return reply.header('content-type', 'application/json; charset=utf-8').send(body)
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error
      return reply
        .code(error.status)
        .header('content-type', 'application/json; charset=utf-8')
        .send(errorJson(error, newErrorIds(correlationId)))
    }
  }
  app.post('/:tenant/oauth2/v2.0/token', handler(2))
  app.post('/:tenant/oauth2/token', handler(1))
}

/** The pipeline: tenant, grant type, client authentication, then the grant's own checks and tokens. */
async function token(
  context: EmulatorContext,
  request: TokenRequest,
  params: Record<string, string | undefined>,
  version: 1 | 2,
): Promise<Record<string, unknown>> {
  const segment = request.params.tenant
  const tenant = context.directory.resolveTenant(segment)
  if (!tenant) throw aadsts.tenantNotFound(segment)
  const grantType = params.grant_type
  if (!grantType) throw aadsts.missingParameter('grant_type')
  const grant = GRANTS[grantType]
  const client = authenticateClient({
    context,
    params,
    authorization: request.headers.authorization,
    tokenEndpoints: tokenEndpoints(context, segment),
    tenantSegment: segment,
  })
  if (!grant) throw aadsts.unsupportedGrant(grantType)
  checkTokenLoop(context, segment, params) // AADSTS50196 when throttling's tokenLoopRequests is set
  const decidesItself =
    PUBLIC_GRANTS.has(grantType) ||
    grantType === 'authorization_code' ||
    grantType === 'refresh_token'
  if (client.method === 'none' && !decidesItself) throw aadsts.noCredential()
  return grant({
    context,
    params,
    app: client.app,
    method: client.method,
    tenantSegment: segment,
    tenantId: typeof tenant === 'string' ? context.directory.tenant.id : tenant.id,
    specialTenant: typeof tenant === 'string',
    version,
  })
}

/** The token endpoint URLs a client assertion's `aud` may name: this tenant's, by any of its names, v1 and v2. */
function tokenEndpoints(context: EmulatorContext, segment: string): string[] {
  const base = context.publicUrl()
  const { tenant } = context.directory
  return [segment, tenant.id, tenant.domain, 'common', 'organizations'].flatMap((path) => [
    `${base}/${path}/oauth2/v2.0/token`,
    `${base}/${path}/oauth2/token`,
  ])
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name]
  return Array.isArray(value) ? value[0] : value
}
