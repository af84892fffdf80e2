/**
 * GET /me, /users/{id|upn} (+$select, mailboxSettings included), /me/photo and /me/photo/$value; the user properties
 * and values that GET /users shares.
 */
import { createHash } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import type { User } from '../state/directory.ts'
import { PHOTO_SIZE } from '../state/photo.ts'
import { mailboxSettings } from './mailbox-settings.ts'
import { authorizeAlso } from './permissions.ts'
import { GraphError, ODATA_JSON } from './graph-error.ts'
import { owner } from './graph-request.ts'
import { mailboxRoute } from './mailbox-route.ts'
import { isNavigation, propertyType } from './metadata/graph-types.ts'
import { metadataUrl, select } from './odata.ts'

export const DEFAULT_PROPERTIES = [
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
// Other user properties a $select may name; the emulator has no value for them (null), as Graph for unset ones.
const OTHER_PROPERTIES = [
  'accountEnabled',
  'ageGroup',
  'assignedLicenses',
  'assignedPlans',
  'city',
  'companyName',
  'country',
  'createdDateTime',
  'creationType',
  'department',
  'employeeId',
  'employeeType',
  'externalUserState',
  'faxNumber',
  'identities',
  'imAddresses',
  'isResourceAccount',
  'lastPasswordChangeDateTime',
  'mailNickname',
  'onPremisesSyncEnabled',
  'otherMails',
  'postalCode',
  'preferredDataLocation',
  'proxyAddresses',
  'showInAddressList',
  'signInSessionsValidFromDateTime',
  'state',
  'streetAddress',
  'usageLocation',
  'userType',
  'aboutMe',
  'birthday',
  'hireDate',
  'interests',
  'mySite',
  'pastProjects',
  'preferredName',
  'responsibilities',
  'schools',
  'skills',
  'mailboxSettings',
]
export const KNOWN = [...DEFAULT_PROPERTIES, ...OTHER_PROPERTIES]

/** A user's property values as Graph answers them; unset ones are absent (null on the wire). */
export function userValues(user: User): Record<string, unknown> {
  const { password: _password, mailboxSettings: _settings, ...values } = user
  return {
    ...values,
    accountEnabled: true,
    userType: 'Member',
    mailNickname: user.userPrincipalName.split('@')[0],
    usageLocation: null,
    createdDateTime: null,
  }
}

export function userRoutes(scope: FastifyInstance, context: EmulatorContext): void {
  mailboxRoute(scope, 'GET', '', { profile: true }, (request, reply) => {
    return sendUser(context, request, reply, owner(request))
  })
  mailboxRoute(scope, 'GET', '/photo', { profile: true }, (request, reply) => {
    const user = owner(request)
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
    const photo = context.directory.userPhoto(user.id)
    if (!photo) throw imageNotFound()
    return reply.header('content-type', photo.contentType).send(Buffer.from(photo.bytes))
  })
}

function sendUser(
  context: EmulatorContext,
  request: FastifyRequest,
  reply: FastifyReply,
  user: User,
) {
  const selected = select(request, KNOWN, 'user')
  const values = userValues(user)
  // The property comes from the mailbox, with the mailbox's permission (Microsoft's Node sample asks for it).
  if (selected?.includes('mailboxSettings')) {
    authorizeAlso(request, 'GET', 'mailboxsettings')
    values.mailboxSettings = mailboxSettings(user, context.mail.settings.changed(user.id))
  }
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
