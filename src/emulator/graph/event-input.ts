/**
 * readEventInput: an event's POST or PATCH body read as Graph reads it (names without case, types checked, read-only
 * properties ignored, unknown ones refused), and applyEventInput onto a stored EventRecord. Recurring events are
 * refused (the emulator keeps single instances); isOnlineMeeting and onlineMeetingProvider are ignored, as for a
 * mailbox without an online meeting provider.
 */
import { randomBytes } from 'node:crypto'
import type { User } from '../state/directory.ts'
import type { Directory } from '../state/directory.ts'
import { NEVER, type Attendee, type EventRecord } from './event-model.ts'
import { GraphError } from './graph-error.ts'
import {
  newChangeKey,
  newId,
  newImmutableId,
  type DateTimeTimeZone,
  type MessageBody,
} from './message-model.ts'
import { ianaZone, localToInstant, timeZoneNotSupported } from './time-zones.ts'

type Kind =
  | 'string'
  | 'boolean'
  | 'int'
  | 'strings'
  | 'body'
  | 'dateTimeTimeZone'
  | 'attendees'
  | 'location'
  | 'locations'
  | 'recurrence'
  | 'ignored'
  | string[]

const READ_ONLY = [
  'id',
  '@odata.etag',
  'createdDateTime',
  'lastModifiedDateTime',
  'changeKey',
  'iCalUId',
  'bodyPreview',
  'webLink',
  'isOrganizer',
  'organizer',
  'responseStatus',
  'type',
  'seriesMasterId',
  'originalStartTimeZone',
  'originalEndTimeZone',
  'hasAttachments',
  'isCancelled',
  'onlineMeetingUrl',
  'onlineMeeting',
  'isDraft',
  'isOnlineMeeting',
  'onlineMeetingProvider',
]
const FIELDS: Record<string, Kind> = {
  subject: 'string',
  body: 'body',
  start: 'dateTimeTimeZone',
  end: 'dateTimeTimeZone',
  attendees: 'attendees',
  location: 'location',
  locations: 'locations',
  isAllDay: 'boolean',
  importance: ['low', 'normal', 'high'],
  sensitivity: ['normal', 'personal', 'private', 'confidential'],
  showAs: ['free', 'tentative', 'busy', 'oof', 'workingElsewhere', 'unknown'],
  categories: 'strings',
  isReminderOn: 'boolean',
  reminderMinutesBeforeStart: 'int',
  responseRequested: 'boolean',
  allowNewTimeProposals: 'boolean',
  hideAttendees: 'boolean',
  transactionId: 'string',
  recurrence: 'recurrence',
  ...Object.fromEntries(READ_ONLY.map((name): [string, Kind] => [name, 'ignored'])),
}
const CANONICAL = new Map(Object.keys(FIELDS).map((name) => [name.toLowerCase(), name]))

export type EventInput = Partial<{
  subject: string
  body: MessageBody
  start: DateTimeTimeZone
  end: DateTimeTimeZone
  attendees: Attendee[]
  location: Record<string, unknown>
  locations: Record<string, unknown>[]
  isAllDay: boolean
  importance: EventRecord['importance']
  sensitivity: EventRecord['sensitivity']
  showAs: string
  categories: string[]
  isReminderOn: boolean
  reminderMinutesBeforeStart: number
  responseRequested: boolean
  allowNewTimeProposals: boolean
  hideAttendees: boolean
  transactionId: string
}>

const bodyError = (message: string) => new GraphError(400, 'RequestBodyRead', message)
const validation = () =>
  new GraphError(400, 'ErrorPropertyValidationFailure', 'At least one property failed validation.')

export function readEventInput(body: unknown): EventInput {
  const input = object(body ?? {})
  const result: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(input)) {
    if (key.startsWith('@') && key !== '@odata.etag') continue
    const name = CANONICAL.get(key.toLowerCase())
    if (!name) throw unknownProperty(key, 'event')
    const kind = FIELDS[name]!
    if (kind === 'ignored' || value === undefined) continue
    if (kind === 'recurrence') {
      if (value === null) continue
      throw new GraphError(
        400,
        'ErrorInvalidRequest',
        'The emulator does not support recurring events (recurrence): create single events.',
      )
    }
    result[name] = value === null ? null : readValue(kind, value)
  }
  return result as EventInput
}

function readValue(kind: Kind, value: unknown): unknown {
  if (Array.isArray(kind)) return oneOf(value, kind)
  switch (kind) {
    case 'string':
      return text(value)
    case 'boolean':
      if (typeof value !== 'boolean') throw literal(value, 'Edm.Boolean')
      return value
    case 'int':
      if (!Number.isSafeInteger(value)) throw literal(value, 'Edm.Int32')
      return value
    case 'strings':
      return list(value).map(text)
    case 'body':
      return readBodyValue(value)
    case 'dateTimeTimeZone':
      return readDateTimeTimeZone(value)
    case 'attendees':
      return list(value).map(readAttendee)
    case 'location':
      return readLocation(value)
    default:
      return list(value).map(readLocation)
  }
}

function readBodyValue(value: unknown): MessageBody {
  const input = fields(value, ['contentType', 'content'], 'itemBody')
  const type = input.contentType === undefined ? 'text' : oneOf(input.contentType, ['text', 'html'])
  return { contentType: type as 'text' | 'html', content: text(input.content ?? '') }
}

function readDateTimeTimeZone(value: unknown): DateTimeTimeZone {
  const input = fields(value, ['dateTime', 'timeZone'], 'dateTimeTimeZone')
  const result = { dateTime: text(input.dateTime ?? ''), timeZone: text(input.timeZone ?? 'UTC') }
  if (!ianaZone(result.timeZone)) throw timeZoneNotSupported(result.timeZone)
  if (localToInstant(result) === undefined) {
    throw new GraphError(
      400,
      'UnableToDeserializePostBody',
      `Cannot convert the literal '${result.dateTime}' to a date and time.`,
    )
  }
  return result
}

function readAttendee(value: unknown): Attendee {
  const input = fields(value, ['emailAddress', 'type', 'status', 'proposedNewTime'], 'attendee')
  const email = fields(input.emailAddress ?? {}, ['address', 'name'], 'emailAddress')
  const type = input.type === undefined || input.type === null ? 'required' : input.type
  return {
    emailAddress: { name: text(email.name ?? ''), address: text(email.address ?? '').trim() },
    type: oneOf(type, ['required', 'optional', 'resource']) as Attendee['type'],
    status: { response: 'none', time: NEVER },
  }
}

function readLocation(value: unknown): Record<string, unknown> {
  const names = [
    'displayName',
    'locationType',
    'uniqueId',
    'uniqueIdType',
    'address',
    'coordinates',
  ]
  const input = fields(value, [...names, 'locationEmailAddress', 'locationUri'], 'location')
  const displayName = text(input.displayName ?? '')
  const location: Record<string, unknown> = {
    displayName,
    locationType: input.locationType === undefined ? 'default' : text(input.locationType),
    uniqueId: input.uniqueId === undefined ? displayName : text(input.uniqueId),
    uniqueIdType: 'private',
  }
  if (input.address) location.address = input.address
  if (input.coordinates) location.coordinates = input.coordinates
  return location
}

/** The location of an event without one, as Outlook writes it. */
export const NO_LOCATION = {
  displayName: '',
  locationType: 'default',
  uniqueIdType: 'unknown',
  address: {},
  coordinates: {},
}

/** A new event of `user` (the organizer), before its input is applied. */
export function newEvent(user: User, now: string): EventRecord {
  return {
    id: newId(),
    immutableId: newImmutableId(),
    mailbox: user.id,
    iCalUId: `040000008200E00074C5B7101A82E00800000000${randomBytes(24).toString('hex').toUpperCase()}`,
    createdDateTime: now,
    lastModifiedDateTime: now,
    changeKey: newChangeKey(),
    categories: [],
    transactionId: null,
    subject: '',
    body: { contentType: 'html', content: '' },
    importance: 'normal',
    sensitivity: 'normal',
    isAllDay: false,
    isCancelled: false,
    isOrganizer: true,
    responseRequested: true,
    showAs: 'busy',
    isReminderOn: true,
    reminderMinutesBeforeStart: 15,
    allowNewTimeProposals: true,
    hideAttendees: false,
    start: now,
    end: now,
    originalStartTimeZone: 'UTC',
    originalEndTimeZone: 'UTC',
    location: NO_LOCATION,
    locations: [],
    attendees: [],
    organizer: { emailAddress: { name: user.displayName, address: user.mail } },
    responseStatus: { response: 'organizer', time: NEVER },
  }
}

/** Copies the given properties onto `record`; start before end, or Outlook's validation failure. */
export function applyEventInput(
  record: EventRecord,
  input: EventInput,
  directory: Directory,
): void {
  const { start, end, attendees, location, ...rest } = input
  for (const [name, value] of Object.entries(rest))
    if (value !== null) (record as unknown as Record<string, unknown>)[name] = value
  if (input.subject === null) record.subject = ''
  if (start) {
    record.start = new Date(localToInstant(start)!).toISOString()
    record.originalStartTimeZone = start.timeZone
  }
  if (end) {
    record.end = new Date(localToInstant(end)!).toISOString()
    record.originalEndTimeZone = end.timeZone
  }
  if (Date.parse(record.end) < Date.parse(record.start)) throw validation()
  if (location !== undefined) record.location = location ?? NO_LOCATION
  if (attendees !== undefined) {
    record.attendees = (attendees ?? []).map((attendee) => ({
      ...attendee,
      emailAddress: {
        address: attendee.emailAddress.address,
        name:
          attendee.emailAddress.name ||
          directory.findUser(attendee.emailAddress.address)?.displayName ||
          attendee.emailAddress.address,
      },
    }))
  }
}

/** A POST must say when the event is. */
export function requireTimes(input: EventInput): void {
  if (!input.start || !input.end) throw validation()
}

function object(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw bodyError(
      "An unexpected 'PrimitiveValue' node was found when reading from the JSON reader. A 'StartObject' node was expected.",
    )
  }
  return value as Record<string, unknown>
}

/** The named properties of a nested object (names without case); unknown names refused. */
function fields(value: unknown, names: string[], type: string): Record<string, unknown> {
  const known = new Map(names.map((name) => [name.toLowerCase(), name]))
  const result: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(object(value))) {
    if (key.startsWith('@')) continue
    const name = known.get(key.toLowerCase())
    if (!name) throw unknownProperty(key, type)
    result[name] = item
  }
  return result
}

function unknownProperty(name: string, type: string): GraphError {
  return bodyError(
    `The property '${name}' does not exist on type 'microsoft.graph.${type}'. Make sure to only use property ` +
      'names that are defined by the type or mark the type as open type.',
  )
}

function list(value: unknown): unknown[] {
  if (!Array.isArray(value)) {
    throw bodyError(
      "An unexpected 'StartObject' node was found when reading from the JSON reader. A 'StartArray' node was expected.",
    )
  }
  return value
}

function text(value: unknown): string {
  if (typeof value !== 'string') throw literal(value, 'Edm.String')
  return value
}

function literal(value: unknown, type: string): GraphError {
  const shown = (typeof value === 'object' ? JSON.stringify(value) : String(value)).slice(0, 100)
  return bodyError(`Cannot convert the literal '${shown}' to the expected type '${type}'.`)
}

function oneOf(value: unknown, allowed: string[]): string {
  const found = allowed.find(
    (name) => typeof value === 'string' && name.toLowerCase() === value.toLowerCase(),
  )
  if (!found) throw bodyError(`Requested value '${String(value)}' was not found.`)
  return found
}
