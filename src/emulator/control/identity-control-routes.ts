// Control API for the identity side, loopback only: add users, apps and redirect URIs, grant consent,
// shape the next id_token, revoke or expire refresh tokens.
import type { FastifyInstance } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import type { NewApp, NewUser } from '../state/directory.ts'
import type { RefreshRecord } from '../identity/issue.ts'
import { parseScopes } from '../identity/scopes.ts'
import type { IdentityShape } from './control-shape.ts'
import { isLoopback } from './control-shape.ts'

export async function identityControlRoutes(
  app: FastifyInstance,
  context: EmulatorContext,
): Promise<void> {
  const store = context.identity
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/_emulator/') && !isLoopback(request.socket.remoteAddress)) {
      return reply
        .code(403)
        .send({ error: 'forbidden', message: 'The control API answers on loopback only.' })
    }
    return undefined
  })
  const bad = (message: string) => ({ error: 'invalid_request', message })
  const body = (value: unknown): Record<string, unknown> =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {}

  app.post('/_emulator/users', (request, reply) => {
    const input = body(request.body) as Partial<NewUser>
    if (typeof input.userPrincipalName !== 'string' || typeof input.password !== 'string') {
      return reply.code(400).send(bad('userPrincipalName and password (strings) are required.'))
    }
    const { password: _password, ...user } = context.directory.addUser(input as NewUser)
    return reply.code(201).send(user)
  })

  app.post('/_emulator/apps', (request, reply) => {
    const input = body(request.body) as Partial<NewApp>
    if (typeof input.clientId !== 'string' || !input.clientId)
      return reply.code(400).send(bad('clientId (string) is required.'))
    try {
      return reply.code(201).send(context.directory.addApp(input as NewApp))
    } catch (error) {
      return reply.code(400).send(bad(error instanceof Error ? error.message : String(error)))
    }
  })

  app.post<{ Params: { clientId: string } }>(
    '/_emulator/apps/:clientId/redirect-uris',
    (request, reply) => {
      const uri = body(request.body).uri
      if (typeof uri !== 'string' || !URL.canParse(uri))
        return reply.code(400).send(bad('uri (an absolute URL) is required.'))
      if (!context.directory.findApp(request.params.clientId))
        return reply.code(404).send(bad('Unknown application.'))
      context.directory.addRedirectUri(request.params.clientId, uri)
      return reply.code(201).send({
        clientId: request.params.clientId,
        redirectUris: context.directory.findApp(request.params.clientId)!.redirectUris,
      })
    },
  )

  app.post('/_emulator/consents', (request, reply) => {
    const { user, clientId, scope } = body(request.body)
    const found = typeof user === 'string' ? context.directory.findUser(user) : undefined
    if (!found || typeof clientId !== 'string' || typeof scope !== 'string')
      return reply.code(400).send(bad('user, clientId and scope are required.'))
    context.directory.grantConsent(found.id, clientId, parseScopes(scope).graph)
    return reply.code(204).send()
  })

  app.post('/_emulator/tokens/next', (request, reply) => {
    const shape = body(request.body) as IdentityShape
    for (const name of ['aud', 'iss', 'tid'] as const) {
      if (shape[name] !== undefined && typeof shape[name] !== 'string')
        return reply.code(400).send(bad(`${name} must be a string.`))
    }
    if (shape.nonce !== undefined && shape.nonce !== null && typeof shape.nonce !== 'string')
      return reply.code(400).send(bad('nonce must be a string or null.'))
    context.signer.shapeNextIdToken(shape)
    return reply.code(204).send()
  })

  // { user?: id or UPN, clientId?, expire?: true } — revokes (AADSTS50173) or idle-expires (AADSTS700082) refresh tokens.
  app.post('/_emulator/refresh-tokens/revoke', (request, reply) => {
    const { user, clientId, expire } = body(request.body)
    const userId = typeof user === 'string' ? context.directory.findUser(user)?.id : undefined
    if (typeof user === 'string' && !userId) return reply.code(404).send(bad('Unknown user.'))
    let count = 0
    for (const record of store.all<RefreshRecord>('refresh')) {
      if (userId && record.userId !== userId) continue
      if (typeof clientId === 'string' && record.clientId.toLowerCase() !== clientId.toLowerCase())
        continue
      const changed =
        expire === true ? { ...record, lastUsedAt: 0, createdAt: 0 } : { ...record, revoked: true }
      store.put(
        'refresh',
        record.id,
        changed,
        context.options.refreshTokenLifetimeSeconds + 24 * 3600,
      )
      count++
    }
    return reply.send({ revoked: count })
  })
}
