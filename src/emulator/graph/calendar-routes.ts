/**
 * calendarRoutes: GET /me/calendar, /me/calendars, /me/calendars/{id}; event lists (GET /me/events,
 * /me/calendar/events, /me/calendars/{id}/events) and calendar views (GET /me/calendarView?startDateTime=…&endDateTime=…,
 * also under /calendar and /calendars/{id}), paged by `$top` (10) and `$skip` with `@odata.nextLink`, `$select`,
 * `$orderby` (start/dateTime, end/dateTime, subject, createdDateTime, lastModifiedDateTime), `$count`. Needs
 * Calendars.Read (403 ErrorAccessDenied otherwise).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import { calendarView, eventView } from './event-model.ts'
import { checkCalendar, EVENT_COLLECTIONS, eventOptions } from './event-routes.ts'
import type { EventOrder, Window } from './event-store.ts'
import { GraphError } from './graph-error.ts'
import { owner } from './graph-request.ts'
import { mailboxRoute } from './mailbox-route.ts'
import {
  baseUrl,
  countOption,
  metadataUrl,
  nextLink,
  option,
  selectView,
  sendOData,
  skip,
  top,
} from './odata.ts'

const VIEWS = ['/calendarView', '/calendar/calendarView', '/calendars/:calendarId/calendarView']
const ORDER_FIELDS: Record<string, EventOrder['field']> = {
  'start/datetime': 'start',
  'end/datetime': 'end',
  subject: 'subject',
  createddatetime: 'createdDateTime',
  lastmodifieddatetime: 'lastModifiedDateTime',
}

export function calendarRoutes(scope: FastifyInstance, context: EmulatorContext): void {
  const config = { throttled: 'request' } as const
  mailboxRoute(scope, 'GET', '/calendar', config, (request, reply) => {
    const user = owner(request)
    const at = metadataUrl(request, `users('${user.id}')/calendar/$entity`)
    const calendar = selectView(request, 'calendar', calendarView(user))
    return sendOData(reply, { '@odata.context': at, ...calendar })
  })
  mailboxRoute(scope, 'GET', '/calendars', config, (request, reply) => {
    const user = owner(request)
    const at = metadataUrl(request, `users('${user.id}')/calendars`)
    const calendar = selectView(request, 'calendar', calendarView(user))
    return sendOData(reply, { '@odata.context': at, value: [calendar] })
  })
  mailboxRoute(scope, 'GET', '/calendars/:calendarId', config, (request, reply) => {
    const user = owner(request)
    checkCalendar(request, user)
    const at = metadataUrl(request, `users('${user.id}')/calendars/$entity`)
    const calendar = selectView(request, 'calendar', calendarView(user))
    return sendOData(reply, { '@odata.context': at, ...calendar })
  })
  for (const collection of EVENT_COLLECTIONS) {
    mailboxRoute(scope, 'GET', collection, config, (request, reply) => {
      return listEvents(context, request, reply, 'events', undefined)
    })
  }
  for (const view of VIEWS) {
    mailboxRoute(scope, 'GET', view, config, (request, reply) => {
      return listEvents(context, request, reply, 'calendarView', viewWindow(request))
    })
  }
}

function listEvents(
  context: EmulatorContext,
  request: FastifyRequest,
  reply: FastifyReply,
  segment: 'events' | 'calendarView',
  window: Window | undefined,
) {
  const user = owner(request)
  checkCalendar(request, user)
  for (const name of ['filter', 'search', 'expand'])
    if (option(request, name) !== undefined)
      throw new GraphError(400, 'BadRequest', `The emulator does not support $${name} on events.`)
  const options = eventOptions(request, reply)
  const [count, offset, order] = [top(request), skip(request), eventOrder(request)]
  const page = context.mail.events.list(user.id, window, order, count + 1, offset)
  const path = `users('${user.id}')/${segment}`
  const fragment = options.select ? `${path}(${options.select.join(',')})` : path
  const body: Record<string, unknown> = { '@odata.context': metadataUrl(request, fragment) }
  if (countOption(request)) body['@odata.count'] = context.mail.events.count(user.id, window)
  body.value = page.slice(0, count).map((event) => eventView(event, baseUrl(request), options))
  if (page.length > count) body['@odata.nextLink'] = nextLink(request, offset + count)
  return sendOData(reply, body)
}

/** `$orderby=start/dateTime desc` and the like; by start, earliest first, when absent. */
function eventOrder(request: FastifyRequest): EventOrder {
  const raw = option(request, 'orderby')?.trim()
  if (!raw) return { field: 'start', descending: false }
  const [field = '', direction = 'asc', extra] = raw.split(/\s+/)
  const name = ORDER_FIELDS[field.toLowerCase()]
  if (!name || extra !== undefined || !/^(asc|desc)$/i.test(direction)) {
    throw new GraphError(
      400,
      'BadRequest',
      `The $orderby value '${raw}' is not supported: use start/dateTime, end/dateTime, subject, ` +
        'createdDateTime or lastModifiedDateTime, asc or desc.',
    )
  }
  return { field: name, descending: direction.toLowerCase() === 'desc' }
}

/** The required startDateTime and endDateTime (an offset, else UTC; Prefer does not apply to them). */
function viewWindow(request: FastifyRequest): Window {
  const query = request.query as Record<string, string | string[] | undefined>
  const value = (name: string) => {
    const entry = Object.entries(query).find(([key]) => key.toLowerCase() === name)
    return entry === undefined
      ? undefined
      : String(Array.isArray(entry[1]) ? entry[1][0] : entry[1])
  }
  const [start, end] = [value('startdatetime'), value('enddatetime')]
  if (!start || !end) {
    throw new GraphError(
      400,
      'ErrorInvalidParameter',
      'This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.',
    )
  }
  return { start: instant(start, 'StartDateTime'), end: instant(end, 'EndDateTime') }
}

function instant(text: string, name: string): string {
  const trimmed = text.trim()
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(trimmed) ? trimmed : `${trimmed}Z`
  const time = /^\d{4}-\d{2}-\d{2}(T[\d:.]+)?/.test(trimmed) ? Date.parse(zoned) : NaN
  if (Number.isNaN(time)) {
    throw new GraphError(
      400,
      'ErrorInvalidParameter',
      `The value '${text}' of parameter '${name}' is invalid.`,
    )
  }
  return new Date(time).toISOString()
}
