/**
 * A user's mailboxSettings (Graph's complex type): defaults from the directory (time zone of the fixtures or UTC,
 * language and formats of preferredLanguage), what the user changed (createSettingsStore, SQLite), and
 * readSettingsPatch: a PATCH body checked the way Graph checks it.
 */
import type { DatabaseSync } from 'node:sqlite'
import type { User } from '../state/directory.ts'
import { GraphError } from './graph-error.ts'
import { folderId } from './message-model.ts'
import { ianaZone, instantToLocal, timeZoneNotSupported } from './time-zones.ts'

export type Settings = Record<string, unknown>

const FORMATS: Record<string, [date: string, time: string]> = {
  'en-us': ['M/d/yyyy', 'h:mm tt'],
  'en-gb': ['dd/MM/yyyy', 'HH:mm'],
  'fr-fr': ['dd/MM/yyyy', 'HH:mm'],
  'de-de': ['dd.MM.yyyy', 'HH:mm'],
}
const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday']
const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,7})?)?$/
// The settings' properties, in the order Graph writes them.
export const SETTINGS_PROPERTIES = [
  'archiveFolder',
  'timeZone',
  'delegateMeetingMessageDeliveryOptions',
  'dateFormat',
  'timeFormat',
  'userPurpose',
  'automaticRepliesSetting',
  'language',
  'workingHours',
]

export function createSettingsStore(db: DatabaseSync) {
  const get = db.prepare('SELECT data FROM graph_mailbox_settings WHERE user_id = ?')
  const put = db.prepare(
    'INSERT INTO graph_mailbox_settings (user_id, data) VALUES (?, ?) ON CONFLICT DO UPDATE SET data = excluded.data',
  )
  return {
    /** What the user changed, by top-level property. */
    changed(userId: string): Settings {
      const row = get.get(userId) as { data: string } | undefined
      return row ? (JSON.parse(row.data) as Settings) : {}
    },
    save: (userId: string, changed: Settings) => void put.run(userId, JSON.stringify(changed)),
  }
}

/** The full mailboxSettings of a user: defaults, then what the user changed. */
export function mailboxSettings(user: User, changed: Settings): Settings {
  const timeZone =
    (changed.timeZone as string | undefined) ?? user.mailboxSettings?.timeZone ?? 'UTC'
  const locale = user.preferredLanguage || 'en-US'
  const [dateFormat, timeFormat] = FORMATS[locale.toLowerCase()] ?? FORMATS['en-us']!
  const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000
  const defaults: Settings = {
    archiveFolder: folderId(user.id, 'archive'),
    timeZone,
    delegateMeetingMessageDeliveryOptions: 'sendToDelegateOnly',
    dateFormat: user.mailboxSettings?.dateFormat ?? dateFormat,
    timeFormat: user.mailboxSettings?.timeFormat ?? timeFormat,
    userPurpose: 'user',
    automaticRepliesSetting: {
      status: 'disabled',
      externalAudience: 'all',
      internalReplyMessage: '',
      externalReplyMessage: '',
      scheduledStartDateTime: instantToLocal(hour, 'UTC'),
      scheduledEndDateTime: instantToLocal(hour + 86_400_000, 'UTC'),
    },
    language: { locale, displayName: languageName(locale) },
    workingHours: {
      daysOfWeek: DAYS.slice(1, 6),
      startTime: '08:00:00.0000000',
      endTime: '17:00:00.0000000',
      timeZone: { name: timeZone },
    },
  }
  const merged: Settings = {}
  for (const name of SETTINGS_PROPERTIES) merged[name] = changed[name] ?? defaults[name]
  return merged
}

function languageName(locale: string): string {
  try {
    return (
      new Intl.DisplayNames(['en'], { type: 'language', languageDisplay: 'standard' }).of(locale) ??
      locale
    )
  } catch {
    return locale
  }
}

const bodyError = (message: string) => new GraphError(400, 'RequestBodyRead', message)
const noProperty = (name: string, type: string) =>
  bodyError(
    `The property '${name}' does not exist on type 'microsoft.graph.${type}'. Make sure to only use property ` +
      'names that are defined by the type or mark the type as open type.',
  )

/** Lower-cased keys → canonical names of `type`; unknown names refused. */
function canonical(value: unknown, names: string[], type: string): Map<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bodyError(
      `An unexpected 'PrimitiveValue' node was found when reading from the JSON reader. A 'StartObject' node was expected.`,
    )
  const known = new Map(names.map((name) => [name.toLowerCase(), name]))
  const result = new Map<string, unknown>()
  for (const [key, item] of Object.entries(value)) {
    if (key.startsWith('@')) continue
    const name = known.get(key.toLowerCase())
    if (!name) throw noProperty(key, type)
    result.set(name, item)
  }
  return result
}

function text(value: unknown): string {
  if (typeof value !== 'string')
    throw bodyError(
      `Cannot convert the literal '${String(value)}' to the expected type 'Edm.String'.`,
    )
  return value
}

function oneOf(value: unknown, allowed: string[]): string {
  const found = allowed.find(
    (name) => typeof value === 'string' && name.toLowerCase() === value.toLowerCase(),
  )
  if (!found) throw bodyError(`Requested value '${String(value)}' was not found.`)
  return found
}

/**
 * A PATCH body → the new stored changes (complex properties merged into the current ones, as Graph does), and the
 * names of the properties it set.
 */
export function readSettingsPatch(
  body: unknown,
  current: Settings,
  changed: Settings,
): { next: Settings; names: string[] } {
  const input = canonical(body ?? {}, SETTINGS_PROPERTIES, 'mailboxSettings')
  const next: Settings = { ...changed }
  for (const [name, value] of input) {
    if (name === 'timeZone') {
      if (!ianaZone(text(value))) throw timeZoneNotSupported(String(value))
      next.timeZone = value
    } else if (name === 'automaticRepliesSetting')
      next[name] = readReplies(value, current[name] as Settings)
    else if (name === 'workingHours')
      next[name] = readWorkingHours(value, current[name] as Settings)
    else if (name === 'language') next[name] = readLanguage(value)
    else if (name === 'delegateMeetingMessageDeliveryOptions')
      next[name] = oneOf(value, [
        'sendToDelegateAndInformationToPrincipal',
        'sendToDelegateAndPrincipal',
        'sendToDelegateOnly',
      ])
    else if (name === 'userPurpose') throw bodyError("The property 'userPurpose' is read-only.")
    else next[name] = text(value)
  }
  return { next, names: [...input.keys()] }
}

function readReplies(value: unknown, current: Settings): Settings {
  const names = [
    'status',
    'externalAudience',
    'internalReplyMessage',
    'externalReplyMessage',
    'scheduledStartDateTime',
    'scheduledEndDateTime',
  ]
  const result: Settings = { ...current }
  for (const [name, item] of canonical(value, names, 'automaticRepliesSetting')) {
    if (name === 'status') result[name] = oneOf(item, ['disabled', 'alwaysEnabled', 'scheduled'])
    else if (name === 'externalAudience')
      result[name] = oneOf(item, ['none', 'contactsOnly', 'all'])
    else if (name.startsWith('scheduled')) result[name] = readDateTimeTimeZone(item)
    else result[name] = text(item)
  }
  return result
}

function readDateTimeTimeZone(value: unknown): Settings {
  const input = canonical(value, ['dateTime', 'timeZone'], 'dateTimeTimeZone')
  const timeZone = text(input.get('timeZone') ?? 'UTC')
  if (!ianaZone(timeZone)) throw timeZoneNotSupported(timeZone)
  return { dateTime: text(input.get('dateTime') ?? ''), timeZone }
}

function readWorkingHours(value: unknown, current: Settings): Settings {
  const result: Settings = { ...current }
  for (const [name, item] of canonical(
    value,
    ['daysOfWeek', 'startTime', 'endTime', 'timeZone'],
    'workingHours',
  )) {
    if (name === 'daysOfWeek') {
      if (!Array.isArray(item))
        throw bodyError(
          "An unexpected 'PrimitiveValue' node was found. A 'StartArray' node was expected.",
        )
      result[name] = item.map((day) => oneOf(day, DAYS))
    } else if (name === 'timeZone') {
      const zone = text(canonical(item, ['name', '@odata.type'], 'timeZoneBase').get('name') ?? '')
      if (!ianaZone(zone)) throw timeZoneNotSupported(zone)
      result[name] = { name: zone }
    } else {
      const time = text(item)
      if (!TIME_OF_DAY.test(time))
        throw bodyError(
          `Cannot convert the literal '${time}' to the expected type 'Edm.TimeOfDay'.`,
        )
      result[name] = `${time.length === 5 ? `${time}:00` : time.slice(0, 8)}.0000000`
    }
  }
  return result
}

function readLanguage(value: unknown): Settings {
  const input = canonical(value, ['locale', 'displayName'], 'localeInfo')
  const locale = text(input.get('locale') ?? '')
  const supported = (() => {
    try {
      return Intl.getCanonicalLocales(locale).length === 1
    } catch {
      return false
    }
  })()
  if (!supported)
    throw new GraphError(400, 'ErrorInvalidArgument', `The locale '${locale}' is not supported.`)
  return { locale, displayName: languageName(locale) }
}
