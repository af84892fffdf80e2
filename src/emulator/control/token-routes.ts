/** POST /_emulator/tokens, /tokens/next, /refresh-tokens/revoke: mint access tokens, spoil the next id_token, revoke. */
import type { FastifyInstance } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import { randomId } from '../identity/identity-store.ts'
import { servicePrincipalId } from '../identity/issue.ts'
import {
  GRAPH_RESOURCE,
  type AccessTokenClaims,
  type IdTokenShape,
} from '../identity/jwt-signer.ts'
import type { RefreshRecord } from '../identity/records.ts'
import { ControlError, objectBody } from './control-error.ts'

/** What POST /_emulator/tokens mints: a delegated token for a user, or an app-only one when `roles` is given. */
export interface AccessTokenShape {
  /** Id or UPN of the user of a delegated token; default: the directory's first user. */
  user?: string
  /** Delegated scopes; default 'User.Read Mail.Send Mail.ReadWrite'. */
  scp?: string
  /** Application permissions: an app-only token when given. */
  roles?: string[]
  /** The app the token is issued to; default the demo app. */
  clientId?: string
  /** Default https://graph.microsoft.com. */
  aud?: string
  /** Seconds until it expires, negative for an expired token; default 3600. */
  expiresIn?: number
}

const DEFAULT_SCOPES = 'User.Read Mail.Send Mail.ReadWrite'

export function tokenRoutes(app: FastifyInstance, context: EmulatorContext): void {
  app.post('/tokens', async (request, reply) => {
    const shape = readTokenShape(objectBody(request.body))
    const claims = accessTokenClaims(context.forRequest(request), shape)
    const accessToken = await context.signer.signAccessToken(claims)
    return reply.code(201).send({ accessToken, claims })
  })

  app.post('/tokens/next', async (request, reply) => {
    context.signer.shapeNextIdToken(readIdTokenShape(objectBody(request.body)))
    return reply.code(204).send()
  })

  // Revokes (AADSTS50173) or idle-expires (AADSTS700082) the refresh tokens of a user and/or an app, or all of them.
  app.post('/refresh-tokens/revoke', async (request) => {
    const { user, clientId, expire } = readRevokeSelection(objectBody(request.body))
    const userId = user === undefined ? undefined : context.directory.findUser(user)?.id
    if (user !== undefined && !userId) throw new ControlError(404, 'UserNotFound', 'Unknown user.')
    const keepSeconds = context.options.refreshTokenLifetimeSeconds + 24 * 3600
    let revoked = 0
    for (const record of context.identity.all<RefreshRecord>('refresh')) {
      if (userId && record.userId !== userId) continue
      if (clientId !== undefined && record.clientId.toLowerCase() !== clientId.toLowerCase())
        continue
      const changed = expire
        ? { ...record, lastUsedAt: 0, createdAt: 0 }
        : { ...record, revoked: true }
      context.identity.put('refresh', record.id, changed, keepSeconds)
      revoked++
    }
    return { revoked }
  })
}

/** Which refresh tokens a revoke names: a user and/or an app, or explicitly all; never "all" by omission. */
interface RevokeSelection {
  user?: string
  clientId?: string
  expire: boolean
}

const REVOKE_USAGE =
  'Name the refresh tokens: {"user": "<id or UPN>"}, {"clientId": "<app id>"}, both, or {"all": true} for every one; add "expire": true to idle-expire them instead of revoking.'

function readRevokeSelection(body: Record<string, unknown>): RevokeSelection {
  const bad = (message: string) =>
    new ControlError(400, 'InvalidRevoke', `${message} ${REVOKE_USAGE}`)
  const { all, user, clientId, expire } = body
  if (user !== undefined && typeof user !== 'string') throw bad('user must be a string.')
  if (clientId !== undefined && typeof clientId !== 'string')
    throw bad('clientId must be a string.')
  if (expire !== undefined && typeof expire !== 'boolean') throw bad('expire must be a boolean.')
  if (all !== undefined && all !== true) throw bad('all, when given, must be true.')
  const named = user !== undefined || clientId !== undefined
  if (all === true && named) throw bad('all: true names every token: leave out user and clientId.')
  if (all !== true && !named) throw bad('An empty selection revokes nothing.')
  return { user, clientId, expire: expire === true }
}

function readTokenShape(body: Record<string, unknown>): AccessTokenShape {
  const bad = (message: string) => new ControlError(400, 'InvalidTokenShape', message)
  for (const name of ['user', 'scp', 'clientId', 'aud'] as const) {
    if (body[name] !== undefined && typeof body[name] !== 'string')
      throw bad(`${name} must be a string.`)
  }
  const { roles, expiresIn } = body
  if (
    roles !== undefined &&
    !(Array.isArray(roles) && roles.every((role) => typeof role === 'string'))
  )
    throw bad('roles must be an array of strings.')
  if (expiresIn !== undefined && !Number.isFinite(expiresIn))
    throw bad('expiresIn must be a number of seconds.')
  return body as AccessTokenShape
}

function readIdTokenShape(body: Record<string, unknown>): IdTokenShape {
  const bad = (message: string) => new ControlError(400, 'InvalidTokenShape', message)
  for (const name of ['azp', 'iss', 'tid'] as const) {
    if (body[name] !== undefined && typeof body[name] !== 'string')
      throw bad(`${name} must be a string.`)
  }
  const { aud, iat } = body
  if (aud !== undefined && typeof aud !== 'string' && !isStringArray(aud))
    throw bad('aud must be a string or an array of strings.')
  if (iat !== undefined && !Number.isInteger(iat))
    throw bad('iat must be a whole number of seconds since the epoch.')
  if (body.nonce !== undefined && body.nonce !== null && typeof body.nonce !== 'string')
    throw bad('nonce must be a string or null.')
  return body as IdTokenShape
}

const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string')

/** The claims of a token as the token endpoint would issue it, for the user or app the shape names. */
function accessTokenClaims(context: EmulatorContext, shape: AccessTokenShape): AccessTokenClaims {
  const { tenant } = context.directory
  const clientId = shape.clientId ?? context.demo.clientId
  const iat = Math.floor(Date.now() / 1000)
  const base = {
    aud: shape.aud ?? GRAPH_RESOURCE,
    iss: `${context.publicUrl()}/${tenant.id}/`,
    iat,
    nbf: iat,
    exp: iat + (shape.expiresIn ?? 3600),
    appid: clientId,
    tid: tenant.id,
    uti: randomId(16),
    ver: '1.0',
  }
  if (shape.roles) {
    const oid = servicePrincipalId(clientId)
    return { ...base, idtyp: 'app', oid, sub: oid, roles: shape.roles }
  }
  const user = shape.user
    ? context.directory.findUser(shape.user)
    : context.directory.listUsers()[0]
  if (!user) throw new ControlError(404, 'UserNotFound', `No user '${shape.user ?? ''}'.`)
  return {
    ...base,
    idtyp: 'user',
    oid: user.id,
    sub: user.id,
    upn: user.userPrincipalName,
    unique_name: user.userPrincipalName,
    name: user.displayName,
    scp: shape.scp ?? DEFAULT_SCOPES,
  }
}
