/** GET /me, /users/{id|upn} (+$select), /me/photo and /me/photo/$value. */
import { createHash } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import type { User } from '../state/directory.ts'
import { PHOTO_SIZE } from '../state/photo.ts'
import { hasPermission, requireSomePermission } from './permissions.ts'
import { GraphError, ODATA_JSON } from './graph-error.ts'
import { graphRequest, owner } from './graph-request.ts'
import { mailboxRoute } from './mailbox-route.ts'
import { isNavigation, propertyType } from './metadata/graph-types.ts'
import { metadataUrl, select } from './odata.ts'

const DEFAULT_PROPERTIES = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
] as const
export function userRoutes(scope: FastifyInstance, context: EmulatorContext): void {
  mailboxRoute(scope, 'GET', '', { profile: true }, (request, reply) => {
    const user = owner(request)
    checkProfileAccess(request, user)
    return sendUser(request, reply, user)
  })
  mailboxRoute(scope, 'GET', '/photo', { profile: true }, (request, reply) => {
    const user = owner(request)
    checkProfileAccess(request, user)
    const photo = context.directory.userPhoto(user.id)
    if (!photo) throw imageNotFound()
    const odataContext = metadataUrl(request, `users('${user.id}')/photo/$entity`)
    return reply
      .header('content-type', ODATA_JSON)
      .header('odata-version', '4.0')
      .send({
        '@odata.context': odataContext,
        '@odata.mediaContentType': photo.contentType,
        '@odata.mediaEtag': `"${createHash('sha1').update(photo.bytes).digest('hex').toUpperCase()}"`,
        id: `${PHOTO_SIZE}X${PHOTO_SIZE}`,
        height: PHOTO_SIZE,
        width: PHOTO_SIZE,
      })
  })
  mailboxRoute(scope, 'GET', '/photo/$value', { profile: true }, (request, reply) => {
    const user = owner(request)
    checkProfileAccess(request, user)
    const photo = context.directory.userPhoto(user.id)
    if (!photo) throw imageNotFound()
    return reply.header('content-type', photo.contentType).send(Buffer.from(photo.bytes))
  })
}

// User.Read covers the signed-in user; other users need User.ReadBasic.All or broader; app tokens need User.Read.All.
function checkProfileAccess(request: FastifyRequest, user: User): void {
  const { auth } = graphRequest(request)
  requireSomePermission(auth)
  const self = auth.delegated && auth.claims.oid === user.id
  const allowed = self ? hasPermission(auth, 'user.read') : hasPermission(auth, 'user.read.all')
  if (!allowed)
    throw new GraphError(
      403,
      'Authorization_RequestDenied',
      'Insufficient privileges to complete the operation.',
    )
}

function sendUser(request: FastifyRequest, reply: FastifyReply, user: User) {
  // Any property Graph's metadata declares on user may be selected; one the directory has no value for is null (an
  // empty collection), as Graph answers unset ones. Navigation properties come only with $expand.
  const selected = select(request, 'user')
  const values: Record<string, unknown> = { ...user }
  const names = (selected ?? DEFAULT_PROPERTIES).filter((name) => !isNavigation('user', name))
  const fragment = selected ? `users(${selected.join(',')})/$entity` : 'users/$entity'
  const body: Record<string, unknown> = { '@odata.context': metadataUrl(request, fragment) }
  for (const name of names)
    body[name] = values[name] ?? (propertyType('user', name)?.collection ? [] : null)
  return reply
    .header('content-type', ODATA_JSON)
    .header('odata-version', '4.0')
    .send(JSON.stringify(body))
}

const imageNotFound = () =>
  new GraphError(
    404,
    'ImageNotFound',
    "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown.",
  )
