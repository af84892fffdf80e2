/**
 * Time zones as Outlook names them: ianaZone(name) reads a Windows name (through the common entries of CLDR's
 * windowsZones.xml, territory 001) or an IANA one; localToInstant / instantToLocal convert between an instant and a
 * Graph dateTimeTimeZone (`2024-05-01T10:00:00.0000000` in a zone) with the platform's Intl time zone data.
 */
import { GraphError } from './graph-error.ts'
import type { DateTimeTimeZone } from './message-model.ts'

// Source: unicode-org/cldr common/supplemental/windowsZones.xml, the territory="001" mapZone of common zones.
const WINDOWS_TO_IANA: Record<string, string> = {
  'Dateline Standard Time': 'Etc/GMT+12',
  'UTC-11': 'Etc/GMT+11',
  'Hawaiian Standard Time': 'Pacific/Honolulu',
  'Alaskan Standard Time': 'America/Anchorage',
  'Pacific Standard Time (Mexico)': 'America/Tijuana',
  'Pacific Standard Time': 'America/Los_Angeles',
  'US Mountain Standard Time': 'America/Phoenix',
  'Mountain Standard Time': 'America/Denver',
  'Central America Standard Time': 'America/Guatemala',
  'Central Standard Time': 'America/Chicago',
  'Central Standard Time (Mexico)': 'America/Mexico_City',
  'Canada Central Standard Time': 'America/Regina',
  'SA Pacific Standard Time': 'America/Bogota',
  'Eastern Standard Time': 'America/New_York',
  'US Eastern Standard Time': 'America/Indiana/Indianapolis',
  'Atlantic Standard Time': 'America/Halifax',
  'SA Western Standard Time': 'America/La_Paz',
  'Pacific SA Standard Time': 'America/Santiago',
  'Newfoundland Standard Time': 'America/St_Johns',
  'E. South America Standard Time': 'America/Sao_Paulo',
  'Argentina Standard Time': 'America/Argentina/Buenos_Aires',
  'UTC-02': 'Etc/GMT+2',
  'Azores Standard Time': 'Atlantic/Azores',
  UTC: 'Etc/UTC',
  'GMT Standard Time': 'Europe/London',
  'Greenwich Standard Time': 'Atlantic/Reykjavik',
  'Morocco Standard Time': 'Africa/Casablanca',
  'W. Europe Standard Time': 'Europe/Berlin',
  'Central Europe Standard Time': 'Europe/Budapest',
  'Romance Standard Time': 'Europe/Paris',
  'Central European Standard Time': 'Europe/Warsaw',
  'W. Central Africa Standard Time': 'Africa/Lagos',
  'GTB Standard Time': 'Europe/Bucharest',
  'Middle East Standard Time': 'Asia/Beirut',
  'Egypt Standard Time': 'Africa/Cairo',
  'E. Europe Standard Time': 'Europe/Chisinau',
  'South Africa Standard Time': 'Africa/Johannesburg',
  'FLE Standard Time': 'Europe/Kiev',
  'Israel Standard Time': 'Asia/Jerusalem',
  'Turkey Standard Time': 'Europe/Istanbul',
  'Arab Standard Time': 'Asia/Riyadh',
  'Russian Standard Time': 'Europe/Moscow',
  'E. Africa Standard Time': 'Africa/Nairobi',
  'Iran Standard Time': 'Asia/Tehran',
  'Arabian Standard Time': 'Asia/Dubai',
  'Afghanistan Standard Time': 'Asia/Kabul',
  'Pakistan Standard Time': 'Asia/Karachi',
  'India Standard Time': 'Asia/Calcutta',
  'Sri Lanka Standard Time': 'Asia/Colombo',
  'Nepal Standard Time': 'Asia/Katmandu',
  'Bangladesh Standard Time': 'Asia/Dhaka',
  'Myanmar Standard Time': 'Asia/Rangoon',
  'SE Asia Standard Time': 'Asia/Bangkok',
  'China Standard Time': 'Asia/Shanghai',
  'Singapore Standard Time': 'Asia/Singapore',
  'Taipei Standard Time': 'Asia/Taipei',
  'W. Australia Standard Time': 'Australia/Perth',
  'Tokyo Standard Time': 'Asia/Tokyo',
  'Korea Standard Time': 'Asia/Seoul',
  'Cen. Australia Standard Time': 'Australia/Adelaide',
  'AUS Central Standard Time': 'Australia/Darwin',
  'E. Australia Standard Time': 'Australia/Brisbane',
  'AUS Eastern Standard Time': 'Australia/Sydney',
  'Tasmania Standard Time': 'Australia/Hobart',
  'New Zealand Standard Time': 'Pacific/Auckland',
  'Tonga Standard Time': 'Pacific/Tongatapu',
}
const WINDOWS = new Map(
  Object.entries(WINDOWS_TO_IANA).map(([name, iana]) => [name.toLowerCase(), iana]),
)
const LOCAL =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?(Z|[+-]\d{2}:\d{2})?$/
const formatters = new Map<string, Intl.DateTimeFormat>()

/** The IANA zone of a Windows or IANA name (any case for Windows names); undefined if neither. */
export function ianaZone(name: string): string | undefined {
  const windows = WINDOWS.get(name.trim().toLowerCase())
  if (windows) return windows
  if (name.toLowerCase() === 'tzone://microsoft/utc') return 'Etc/UTC'
  return formatter(name.trim()) ? name.trim() : undefined
}

/** Outlook's answer for a time zone name it does not know. */
export function timeZoneNotSupported(name: string): GraphError {
  return new GraphError(
    400,
    'TimeZoneNotSupportedException',
    `A valid TimeZone value must be specified. The following TimeZone value is not supported: '${name}'.`,
  )
}

/** A dateTimeTimeZone → the instant (ms); a malformed date → undefined; an unknown zone → Graph's 400. */
export function localToInstant(value: DateTimeTimeZone): number | undefined {
  const match = LOCAL.exec(value.dateTime.trim())
  if (!match) return undefined
  const [, y, mo, d, h, mi, s = '0', fraction = '0', offset] = match
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3))
  const wall = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s, millis)
  if (Number.isNaN(wall)) return undefined
  if (offset) return offset === 'Z' ? wall : wall - offsetOf(offset)
  const zone = ianaZone(value.timeZone)
  if (!zone) throw timeZoneNotSupported(value.timeZone)
  // Two passes: the offset at the guessed instant, then at the corrected one (exact but in the skipped hour of DST).
  const guess = wall - zoneOffset(wall, zone)
  return wall - zoneOffset(guess, zone)
}

/** An instant as Graph writes it in a zone (`name` as the client gave it): `2024-05-01T10:00:00.0000000`. */
export function instantToLocal(instant: number, name: string): DateTimeTimeZone {
  const zone = ianaZone(name) ?? 'Etc/UTC'
  const local = new Date(instant + zoneOffset(instant, zone))
  return { dateTime: local.toISOString().slice(0, 19) + '.0000000', timeZone: name }
}

/** Offset of `zone` from UTC at `instant`, in ms. */
function zoneOffset(instant: number, zone: string): number {
  const parts = formatter(zone)!.formatToParts(new Date(instant))
  const get = (type: string) => Number(parts.find((part) => part.type === type)!.value)
  const wall = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour') % 24,
    get('minute'),
    get('second'),
  )
  return wall - Math.floor(instant / 1000) * 1000
}

function offsetOf(offset: string): number {
  const sign = offset.startsWith('-') ? -1 : 1
  const [hours, minutes] = offset.slice(1).split(':').map(Number)
  return sign * (hours! * 60 + minutes!) * 60_000
}

function formatter(zone: string): Intl.DateTimeFormat | undefined {
  let found = formatters.get(zone)
  if (found) return found
  try {
    found = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
  } catch {
    return undefined
  }
  if (formatters.size < 1000) formatters.set(zone, found)
  return found
}
