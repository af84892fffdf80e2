/**
 * mailboxSettingsRoutes: GET and PATCH /me/mailboxSettings (and /users/{id}/…), GET …/mailboxSettings/{property}.
 * Needs MailboxSettings.Read to read, MailboxSettings.ReadWrite to change (403 ErrorAccessDenied otherwise).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import type { User } from '../state/directory.ts'
import { GraphError } from './graph-error.ts'
import { owner } from './graph-request.ts'
import { mailboxRoute } from './mailbox-route.ts'
import { mailboxSettings, readSettingsPatch, SETTINGS_PROPERTIES } from './mailbox-settings.ts'
import { metadataUrl, sendOData } from './odata.ts'

export function mailboxSettingsRoutes(scope: FastifyInstance, context: EmulatorContext): void {
  const config = { throttled: 'request' } as const
  const settingsOf = (user: User) => mailboxSettings(user, context.mail.settings.changed(user.id))
  const odataContext = (request: FastifyRequest, user: User, path = '') =>
    metadataUrl(request, `users('${user.id}')/mailboxSettings${path}`)

  mailboxRoute(scope, 'GET', '/mailboxSettings', config, (request, reply) => {
    const user = owner(request)
    return sendOData(reply, { '@odata.context': odataContext(request, user), ...settingsOf(user) })
  })

  mailboxRoute(scope, 'GET', '/mailboxSettings/:property', config, (request, reply) => {
    const user = owner(request)
    const asked = (request.params as { property: string }).property
    const name = SETTINGS_PROPERTIES.find((known) => known.toLowerCase() === asked.toLowerCase())
    if (!name)
      throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${asked}'.`)
    const value = settingsOf(user)[name]
    const at = odataContext(request, user, `/${name}`)
    const body =
      typeof value === 'object' && value !== null
        ? { '@odata.context': at, ...(value as object) }
        : { '@odata.context': at, value }
    return sendOData(reply, body)
  })

  mailboxRoute(scope, 'PATCH', '/mailboxSettings', config, (request, reply) => {
    const user = owner(request)
    const changed = context.mail.settings.changed(user.id)
    const { next, names } = readSettingsPatch(request.body, settingsOf(user), changed)
    context.mail.settings.save(user.id, next)
    const updated = mailboxSettings(user, next)
    const body: Record<string, unknown> = { '@odata.context': odataContext(request, user) }
    for (const name of SETTINGS_PROPERTIES) if (names.includes(name)) body[name] = updated[name]
    return sendOData(reply, body)
  })
}
