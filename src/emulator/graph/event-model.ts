/**
 * The stored calendar event (EventRecord, start and end as UTC instants), Graph's event properties, the calendar
 * resource of a user's one calendar, and eventView: the event as Graph writes it, in UTC or the preferred time zone.
 */
import type { User } from '../state/directory.ts'
import type { MessageBody, Recipient } from './message-model.ts'
import { bodyPreview } from './message-views.ts'
import { instantToLocal } from './time-zones.ts'

export interface Attendee extends Recipient {
  type: 'required' | 'optional' | 'resource'
  status: { response: string; time: string }
}
export interface EventRecord {
  id: string
  immutableId: string
  /** The owner's user id. */
  mailbox: string
  iCalUId: string
  createdDateTime: string
  lastModifiedDateTime: string
  changeKey: string
  categories: string[]
  transactionId: string | null
  subject: string
  body: MessageBody
  importance: 'low' | 'normal' | 'high'
  sensitivity: 'normal' | 'personal' | 'private' | 'confidential'
  isAllDay: boolean
  isCancelled: boolean
  isOrganizer: boolean
  responseRequested: boolean
  showAs: string
  isReminderOn: boolean
  reminderMinutesBeforeStart: number
  allowNewTimeProposals: boolean
  hideAttendees: boolean
  /** UTC instants, ISO. */
  start: string
  end: string
  originalStartTimeZone: string
  originalEndTimeZone: string
  location: Record<string, unknown>
  locations: Record<string, unknown>[]
  attendees: Attendee[]
  organizer: Recipient
  responseStatus: { response: string; time: string }
}

/** Outlook's "no time yet" for responseStatus.time. */
export const NEVER = '0001-01-01T00:00:00Z'

export const EVENT_PROPERTIES = [
  'id',
  'createdDateTime',
  'lastModifiedDateTime',
  'changeKey',
  'categories',
  'transactionId',
  'originalStartTimeZone',
  'originalEndTimeZone',
  'iCalUId',
  'reminderMinutesBeforeStart',
  'isReminderOn',
  'hasAttachments',
  'subject',
  'bodyPreview',
  'importance',
  'sensitivity',
  'isAllDay',
  'isCancelled',
  'isOrganizer',
  'responseRequested',
  'seriesMasterId',
  'showAs',
  'type',
  'webLink',
  'onlineMeetingUrl',
  'isOnlineMeeting',
  'onlineMeetingProvider',
  'allowNewTimeProposals',
  'isDraft',
  'hideAttendees',
  'responseStatus',
  'body',
  'start',
  'end',
  'location',
  'locations',
  'recurrence',
  'attendees',
  'organizer',
  'onlineMeeting',
]

/** The id of a user's one calendar: opaque to clients, stable. */
export const calendarId = (userId: string) =>
  'AAMkCal' + Buffer.from(`${userId}/calendar`).toString('base64url')

/** Graph's calendar resource for the user's default (and only) calendar. */
export function calendarView(user: User): Record<string, unknown> {
  return {
    id: calendarId(user.id),
    name: 'Calendar',
    color: 'auto',
    hexColor: '',
    isDefaultCalendar: true,
    changeKey: Buffer.from(`${user.id}/calendar/1`).toString('base64').slice(0, 24),
    canShare: true,
    canViewPrivateItems: true,
    canEdit: true,
    allowedOnlineMeetingProviders: ['teamsForBusiness'],
    defaultOnlineMeetingProvider: 'teamsForBusiness',
    isTallyingResponses: true,
    isRemovable: false,
    owner: { name: user.displayName, address: user.mail },
  }
}

export interface EventViewOptions {
  /** The preferred time zone (`Prefer: outlook.timezone`), else UTC. */
  timeZone?: string
  immutable?: boolean
  select?: string[]
}

/** The event resource; `select` keeps those properties plus the etag and id. */
export function eventView(
  record: EventRecord,
  webBase: string,
  options: EventViewOptions = {},
): Record<string, unknown> {
  const zone = options.timeZone ?? 'UTC'
  const id = options.immutable ? record.immutableId : record.id
  const full: Record<string, unknown> = {
    '@odata.etag': `W/"${record.changeKey}"`,
    id,
    ...pick(record, ['createdDateTime', 'lastModifiedDateTime', 'changeKey', 'categories']),
    ...pick(record, ['transactionId', 'originalStartTimeZone', 'originalEndTimeZone', 'iCalUId']),
    ...pick(record, ['reminderMinutesBeforeStart', 'isReminderOn']),
    hasAttachments: false,
    subject: record.subject,
    bodyPreview: bodyPreview(record.body),
    ...pick(record, ['importance', 'sensitivity', 'isAllDay', 'isCancelled', 'isOrganizer']),
    ...pick(record, ['responseRequested']),
    seriesMasterId: null,
    showAs: record.showAs,
    type: 'singleInstance',
    webLink: `${webBase}/owa/?itemid=${encodeURIComponent(record.id)}&exvsurl=1&path=/calendar/item`,
    onlineMeetingUrl: null,
    isOnlineMeeting: false,
    onlineMeetingProvider: 'unknown',
    ...pick(record, ['allowNewTimeProposals']),
    isDraft: false,
    ...pick(record, ['hideAttendees', 'responseStatus', 'body']),
    start: instantToLocal(Date.parse(record.start), zone),
    end: instantToLocal(Date.parse(record.end), zone),
    ...pick(record, ['location', 'locations']),
    recurrence: null,
    ...pick(record, ['attendees', 'organizer']),
    onlineMeeting: null,
  }
  if (!options.select) return full
  const picked: Record<string, unknown> = { '@odata.etag': full['@odata.etag'], id }
  for (const name of options.select) picked[name] = full[name] ?? null
  return picked
}

function pick<K extends keyof EventRecord>(record: EventRecord, names: K[]): Pick<EventRecord, K> {
  const result = {} as Pick<EventRecord, K>
  for (const name of names) result[name] = record[name]
  return result
}
