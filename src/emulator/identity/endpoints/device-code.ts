/** POST /{tenant}/oauth2/v2.0/devicecode and v1 /{tenant}/oauth2/devicecode: a device code and its user code (§A6). */
import { randomInt } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../../context.ts'
import { stringParams } from '../checks/authorize-request.ts'
import { hashId, randomId } from '../identity-store.ts'
import { aadsts, errorJson, newErrorIds, OAuthError } from '../oauth-error.ts'
import type { DeviceRecord } from '../records.ts'
import { parseScopes } from '../scopes.ts'

const USER_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'

type DeviceCodeRequest = FastifyRequest<{ Params: { tenant: string } }>

export async function deviceCodeRoutes(
  app: FastifyInstance,
  context: EmulatorContext,
): Promise<void> {
  const handler = (version: 1 | 2) => (request: DeviceCodeRequest, reply: FastifyReply) => {
    const params = stringParams(request.body, request.query)
    try {
      const body = issueDeviceCode(context, request, params, version)
      return reply.header('cache-control', 'no-store, no-cache').send(body)
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error
      const ids = newErrorIds(params['client-request-id'])
      return reply.code(error.status).send(errorJson(error, ids))
    }
  }
  app.post('/:tenant/oauth2/v2.0/devicecode', handler(2))
  app.post('/:tenant/oauth2/devicecode', handler(1))
}

/** Checks the client and scope, stores the device code (and its user code), and answers them (v1: strings). */
function issueDeviceCode(
  context: EmulatorContext,
  request: DeviceCodeRequest,
  params: Record<string, string | undefined>,
  version: 1 | 2,
) {
  const segment = request.params.tenant
  if (!context.directory.resolveTenant(segment)) throw aadsts.tenantNotFound(segment)
  if (!params.client_id) throw aadsts.missingParameter('client_id')
  const app = context.directory.findApp(params.client_id)
  if (!app) throw aadsts.unknownClient(params.client_id, segment)
  const scope =
    version === 1
      ? `openid ${params.resource ?? 'https://graph.microsoft.com'}/.default`
      : params.scope
  if (!scope) throw aadsts.missingParameter('scope')
  parseScopes(scope, app)
  const deviceCode = randomId(48)
  const userCode = Array.from(
    { length: 9 },
    () => USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)],
  ).join('')
  const lifetime = context.options.deviceCodeLifetimeSeconds
  const record: DeviceRecord = {
    userCode,
    clientId: params.client_id,
    scope,
    tenantSegment: segment,
    status: 'pending',
    tenantId: context.directory.tenant.id,
    expiresAt: Date.now() + lifetime * 1000,
  }
  context.identity.put('device', hashId(deviceCode), record, lifetime + 3600)
  context.identity.put('user-code', userCode, hashId(deviceCode), lifetime)
  const uri = `${context.forRequest(request).publicUrl()}/devicelogin`
  const message = `To sign in, use a web browser to open the page ${uri} and enter the code ${userCode} to authenticate.`
  const interval = context.options.deviceCodeIntervalSeconds
  return version === 2
    ? {
        user_code: userCode,
        device_code: deviceCode,
        verification_uri: uri,
        expires_in: lifetime,
        interval,
        message,
      }
    : {
        user_code: userCode,
        device_code: deviceCode,
        verification_url: uri,
        expires_in: String(lifetime),
        interval: String(interval),
        message,
      }
}
