/** POST /_emulator/users, /apps, /apps/{clientId}/redirect-uris, /consents: the directory, changed at run time. */
import type { FastifyInstance } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import { parseScopes } from '../identity/scopes.ts'
import type { NewApp, NewUser } from '../state/directory.ts'
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
    const { user, clientId, scope } = objectBody(request.body)
    const found = typeof user === 'string' ? directory.findUser(user) : undefined
    if (!found || typeof clientId !== 'string' || typeof scope !== 'string')
      throw invalid('InvalidConsent', 'user, clientId and scope are required.')
    directory.grantConsent(found.id, clientId, graphScopes(scope))
    return reply.code(204).send()
  })
}

const invalid = (code: string, message: string) => new ControlError(400, code, message)

function graphScopes(scope: string): string[] {
  try {
    return parseScopes(scope).graph
  } catch (error) {
    throw invalid('InvalidConsent', (error as Error).message)
  }
}
