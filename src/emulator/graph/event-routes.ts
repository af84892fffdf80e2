/**
 * eventRoutes: POST, GET, PATCH and DELETE of events on /me/events, /me/calendar/events and
 * /me/calendars/{id}/events (and /users/{id}/…). Reads need Calendars.Read, changes Calendars.ReadWrite. Start and end
 * are answered in UTC, or in the zone of `Prefer: outlook.timezone` (echoed in Preference-Applied).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import type { User } from '../state/directory.ts'
import { applyEventInput, newEvent, readEventInput, requireTimes } from './event-input.ts'
import { calendarId, EVENT_PROPERTIES, eventView, type EventRecord } from './event-model.ts'
import { GraphError } from './graph-error.ts'
import { owner } from './graph-request.ts'
import { mailboxRoute } from './mailbox-route.ts'
import { cancel, invite, propagate } from './meetings.ts'
import { newChangeKey } from './message-model.ts'
import { baseUrl, metadataUrl, select, sendOData } from './odata.ts'
import { applyPreference, preference, wantsImmutableIds } from './prefer.ts'
import { ianaZone } from './time-zones.ts'

/** The event collections of a user's (one) calendar. */
export const EVENT_COLLECTIONS = ['/events', '/calendar/events', '/calendars/:calendarId/events']

export function eventRoutes(scope: FastifyInstance, context: EmulatorContext): void {
  const config = { throttled: 'request' } as const
  for (const collection of EVENT_COLLECTIONS) {
    mailboxRoute(scope, 'POST', collection, config, (request, reply) => {
      return createEvent(context, request, reply)
    })
    mailboxRoute(scope, 'GET', `${collection}/:id`, config, (request, reply) => {
      return sendOData(reply, single(request, reply, findEvent(context, request)))
    })
    mailboxRoute(scope, 'PATCH', `${collection}/:id`, config, (request, reply) => {
      return updateEvent(context, request, reply)
    })
    mailboxRoute(scope, 'DELETE', `${collection}/:id`, config, (request, reply) => {
      return deleteEvent(context, request, reply)
    })
  }
}

/** How the request wants events written: its time zone preference, id type and $select. */
export function eventOptions(request: FastifyRequest, reply: FastifyReply) {
  const wanted = preference(request, 'outlook.timezone')
  const timeZone = wanted && ianaZone(wanted) ? wanted : undefined
  if (timeZone) applyPreference(reply, `outlook.timezone="${timeZone}"`)
  return {
    timeZone,
    immutable: wantsImmutableIds(request, reply),
    select: select(request, EVENT_PROPERTIES, 'event'),
  }
}

/** The calendar a `/calendars/{id}` path names: the user's one calendar, else ErrorItemNotFound. */
export function checkCalendar(request: FastifyRequest, user: User): void {
  const { calendarId: asked } = request.params as { calendarId?: string }
  if (asked !== undefined && asked !== calendarId(user.id)) throw itemNotFound()
}

const itemNotFound = () =>
  new GraphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.')

function findEvent(context: EmulatorContext, request: FastifyRequest): EventRecord {
  const user = owner(request)
  checkCalendar(request, user)
  const event = context.mail.events.get(user.id, (request.params as { id: string }).id)
  if (!event) throw itemNotFound()
  return event
}

function single(request: FastifyRequest, reply: FastifyReply, event: EventRecord) {
  return {
    '@odata.context': metadataUrl(request, `users('${event.mailbox}')/events/$entity`),
    ...eventView(event, baseUrl(request), eventOptions(request, reply)),
  }
}

function createEvent(context: EmulatorContext, request: FastifyRequest, reply: FastifyReply) {
  const user = owner(request)
  checkCalendar(request, user)
  const input = readEventInput(request.body)
  requireTimes(input)
  const event = newEvent(user, new Date().toISOString())
  applyEventInput(event, input, context.directory)
  context.mail.events.insert(event)
  invite(context, user, event, event.attendees)
  return sendOData(reply, single(request, reply, event), 201)
}

function updateEvent(context: EmulatorContext, request: FastifyRequest, reply: FastifyReply) {
  const before = findEvent(context, request)
  const input = readEventInput(request.body)
  const event: EventRecord = structuredClone(before)
  applyEventInput(event, input, context.directory)
  event.lastModifiedDateTime = new Date().toISOString()
  event.changeKey = newChangeKey()
  context.mail.events.update(event)
  if (event.isOrganizer && (event.attendees.length || before.attendees.length))
    propagate(context, owner(request), before, event)
  return sendOData(reply, single(request, reply, event))
}

function deleteEvent(context: EmulatorContext, request: FastifyRequest, reply: FastifyReply) {
  const event = findEvent(context, request)
  context.mail.events.delete(event)
  if (event.isOrganizer && event.attendees.length) cancel(context, owner(request), event)
  return reply.code(204).send()
}
