/** `readSessionSecret` and `readSessionTimeouts`: how sessions are keyed and when they end. */
import { randomBytes } from 'node:crypto'
import { dirname, join } from 'node:path'
import { configDefaults as defaults } from './config-defaults.ts'
import { isLoopbackHost, type SettingsReader } from './config-parsers.ts'
import type { StoreConfig } from './config-store.ts'
import { keptSecret } from './kept-secret.ts'

/** The key of session ids, form tokens and token caches. */
export interface SessionSecret {
  sessionSecret: string
  /**
   * Where the secret is kept when SESSION_SECRET is unset: made at the first start, readable by its owner only.
   * Undefined when SESSION_SECRET is set, or with STORE=memory (a secret of this process, like its sessions).
   */
  sessionSecretFile: string | undefined
}

export interface SessionTimeouts {
  /** Seconds without a request before a session ends. */
  idleSeconds: number
  /** Seconds after sign-in when a session ends whatever the activity. */
  absoluteSeconds: number
}

export interface SecretPlace {
  /** PUBLIC_URL is on loopback. */
  loopback: boolean
  production: boolean
  /** HOST: where the server listens. */
  host: string
  store: StoreConfig
}

const GENERATE_SECRET =
  'Generate one: node -e "console.log(crypto.randomBytes(32).toString(\'base64url\'))"'

/**
 * SESSION_SECRET: at least 32 characters. Unset, it is allowed only where nobody else can reach the app (PUBLIC_URL
 * and HOST on loopback, outside production); then a random one is made once and kept beside the store. Read last:
 * nothing is written to disk for a configuration that does not start.
 */
export function readSessionSecret(read: SettingsReader, place: SecretPlace): SessionSecret {
  const secret = read.raw('SESSION_SECRET')
  if (secret !== undefined) {
    if (secret.length < 32)
      read.problem(
        'SESSION_SECRET',
        `is ${secret.length} characters long; at least 32 are needed.`,
        GENERATE_SECRET,
      )
    return { sessionSecret: secret, sessionSecretFile: undefined }
  }
  const reachable = [
    !place.loopback && 'PUBLIC_URL is not on loopback',
    !isLoopbackHost(place.host) && `HOST=${place.host} listens beyond loopback`,
    place.production && 'NODE_ENV=production',
  ].filter(Boolean)
  const none = { sessionSecret: '', sessionSecretFile: undefined }
  if (reachable.length) {
    read.problem('SESSION_SECRET', `is required: ${reachable.join(', ')}.`, GENERATE_SECRET)
    return none
  }
  const file = secretFile(place.store)
  if (!file)
    return { sessionSecret: randomBytes(32).toString('base64url'), sessionSecretFile: file }
  if (read.problems.length) return none
  try {
    return { sessionSecret: keptSecret(file), sessionSecretFile: file }
  } catch (error) {
    read.problem(
      'SESSION_SECRET',
      `is unset, and the secret kept in ${file} cannot be read or made: ${(error as Error).message}.`,
      `Let this user write ${dirname(file)}/ and read ${file}, or set SESSION_SECRET. ${GENERATE_SECRET}`,
    )
    return none
  }
}

/** Beside the SQLite file; data/ for Redis; none for a store that lives in memory. */
function secretFile(store: StoreConfig): string | undefined {
  if (store.kind === 'memory' || (store.kind === 'sqlite' && store.path === ':memory:'))
    return undefined
  return join(store.kind === 'sqlite' ? dirname(store.path) : 'data', 'session-secret')
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
