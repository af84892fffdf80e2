/** `readSessionSecret` and `readSessionTimeouts`: how sessions are keyed and when they end. */
import { configDefaults as defaults, LOOPBACK_SESSION_SECRET } from './config-defaults.ts'
import type { SettingsReader } from './config-parsers.ts'

/** The key of session ids and token caches. */
export interface SessionSecret {
  sessionSecret: string
  /** True when SESSION_SECRET is unset and the loopback-only default is used. */
  sessionSecretIsDefault: boolean
}

export interface SessionTimeouts {
  /** Seconds without a request before a session ends. */
  idleSeconds: number
  /** Seconds after sign-in when a session ends whatever the activity. */
  absoluteSeconds: number
}

const GENERATE_SECRET =
  'Generate one: node -e "console.log(crypto.randomBytes(32).toString(\'base64url\'))"'

/** SESSION_SECRET: at least 32 characters; optional only on loopback outside production. */
export function readSessionSecret(
  read: SettingsReader,
  where: { loopback: boolean; production: boolean },
): SessionSecret {
  const secret = read.raw('SESSION_SECRET')
  if (secret !== undefined && secret.length < 32) {
    read.problem(
      'SESSION_SECRET',
      `is ${secret.length} characters long; at least 32 are needed.`,
      GENERATE_SECRET,
    )
  } else if (secret === undefined && (!where.loopback || where.production)) {
    read.problem(
      'SESSION_SECRET',
      'is required when PUBLIC_URL is not on loopback or NODE_ENV=production.',
      GENERATE_SECRET,
    )
  }
  return {
    sessionSecret: secret ?? LOOPBACK_SESSION_SECRET,
    sessionSecretIsDefault: secret === undefined,
  }
}

/** Minutes and hours; the *_SECONDS forms win when set (short timeouts for tests and demos, SE-04). */
export function readSessionTimeouts(read: SettingsReader): SessionTimeouts {
  const idleMinutes = read.integer(
    'SESSION_IDLE_MINUTES',
    defaults.SESSION_IDLE_MINUTES,
    1,
    7 * 24 * 60,
    'minutes',
  )
  const absoluteHours = read.integer(
    'SESSION_ABSOLUTE_HOURS',
    defaults.SESSION_ABSOLUTE_HOURS,
    1,
    30 * 24,
    'hours',
  )
  const idleSeconds = read.integer(
    'SESSION_IDLE_SECONDS',
    idleMinutes * 60,
    1,
    7 * 24 * 3600,
    'seconds',
  )
  const absoluteSeconds = read.integer(
    'SESSION_ABSOLUTE_SECONDS',
    absoluteHours * 3600,
    1,
    30 * 24 * 3600,
    'seconds',
  )
  return { idleSeconds, absoluteSeconds }
}
