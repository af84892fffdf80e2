/** POST /_emulator/users, /apps, /apps/{clientId}/redirect-uris, GET|POST /consents: the directory at run time. */
import type { FastifyInstance } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import { findPermission } from '../identity/permissions/catalogue.ts'
import { parseScopes } from '../identity/scopes.ts'
import {
  ALL_PRINCIPALS,
  type App,
  type Directory,
  type NewApp,
  type NewUser,
} from '../state/directory.ts'
import { ControlError, objectBody } from './control-error.ts'

export function directoryRoutes(app: FastifyInstance, { directory }: EmulatorContext): void {
  app.post('/users', async (request, reply) => {
    const input = objectBody(request.body) as Partial<NewUser>
    if (typeof input.userPrincipalName !== 'string' || typeof input.password !== 'string')
      throw invalid('InvalidUser', 'userPrincipalName and password (strings) are required.')
    const { password: _password, ...user } = directory.addUser(input as NewUser)
    return reply.code(201).send(user)
  })

  app.post('/apps', async (request, reply) => {
    const input = objectBody(request.body) as Partial<NewApp>
    if (typeof input.clientId !== 'string' || !input.clientId)
      throw invalid('InvalidApp', 'clientId (string) is required.')
    try {
      return reply.code(201).send(directory.addApp(input as NewApp))
    } catch (error) {
      throw invalid('InvalidApp', error instanceof Error ? error.message : String(error))
    }
  })

  app.post<{ Params: { clientId: string } }>(
    '/apps/:clientId/redirect-uris',
    async (request, reply) => {
      const { clientId } = request.params
      const uri = objectBody(request.body).uri
      if (typeof uri !== 'string' || !URL.canParse(uri))
        throw invalid('InvalidRedirectUri', 'uri (an absolute URL) is required.')
      if (!directory.findApp(clientId))
        throw new ControlError(404, 'AppNotFound', 'Unknown application.')
      directory.addRedirectUri(clientId, uri)
      return reply
        .code(201)
        .send({ clientId, redirectUris: directory.findApp(clientId)!.redirectUris })
    },
  )

  app.post('/consents', async (request, reply) => {
    grantConsents(directory, objectBody(request.body))
    return reply.code(204).send()
  })

  app.get<{ Querystring: { clientId?: string } }>('/consents', async (request) => ({
    consents: directory.consents(request.query.clientId),
  }))
}

const invalid = (code: string, message: string) => new ControlError(400, code, message)

const CONSENT_USAGE =
  'Send {"user", "clientId", "scope"} for a user\'s consent, or {"clientId", "admin": true, "scope"?, "roles"?} for an administrator\'s (scope: delegated permissions for every user; roles: application permissions).'

/**
 * A user's consent, as the consent page would give it (ROPC cannot show one): refused for permissions only an
 * administrator may grant, unless the user is one. An administrator's (`admin: true`): delegated permissions for every
 * user of the tenant and/or application permissions (roles). `.default` names the app's configured permissions.
 */
function grantConsents(directory: Directory, body: Record<string, unknown>): void {
  const { user, clientId, scope, roles, admin } = body
  const bad = (message: string) => invalid('InvalidConsent', `${message} ${CONSENT_USAGE}`)
  if (typeof clientId !== 'string') throw bad('clientId is required.')
  const app = directory.findApp(clientId)
  if (!app) throw new ControlError(404, 'AppNotFound', 'Unknown application.')
  if (admin !== undefined && admin !== true) throw bad('admin, when given, must be true.')
  if (scope !== undefined && typeof scope !== 'string') throw bad('scope must be a string.')
  if (admin !== true) {
    const found = typeof user === 'string' ? directory.findUser(user) : undefined
    if (!found || typeof scope !== 'string') throw bad('user and scope are required.')
    const names = delegated(app, scope)
    const adminOnly = names.filter((name) => findPermission(name, 'delegated')?.admin)
    if (adminOnly.length > 0 && !found.isAdmin)
      throw bad(`${adminOnly.join(', ')} requires an administrator's consent (AADSTS90094).`)
    return directory.grantConsent(found.id, app.clientId, names)
  }
  if (user !== undefined) throw bad('An administrator consents for everyone: leave out user.')
  if (roles === undefined && scope === undefined) throw bad('Name a scope or roles.')
  try {
    if (scope !== undefined)
      directory.grantConsent(ALL_PRINCIPALS, app.clientId, delegated(app, scope))
    if (roles !== undefined) directory.grantAppRoles(app.clientId, roleNames(app, roles))
  } catch (error) {
    throw error instanceof ControlError ? error : bad((error as Error).message)
  }
}

/** Delegated permission names of a scope string (`.default`: the app's configured ones), OIDC scopes kept. */
function delegated(app: App, scope: string): string[] {
  try {
    const parsed = parseScopes(scope, app)
    return [
      ...(parsed.isDefault ? app.requiredPermissions.delegated : parsed.graph),
      ...parsed.oidc,
      ...(parsed.offline ? ['offline_access'] : []),
    ]
  } catch (error) {
    throw invalid('InvalidConsent', (error as Error).message)
  }
}

/** Application permission names (`.default`: the app's configured ones). */
function roleNames(app: App, roles: unknown): string[] {
  if (!Array.isArray(roles) || !roles.every((role) => typeof role === 'string'))
    throw invalid('InvalidConsent', 'roles must be an array of application permission names.')
  return roles.flatMap((role) =>
    role.toLowerCase().endsWith('.default') ? app.requiredPermissions.application : [role],
  )
}
