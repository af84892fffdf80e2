/** `loadConfig`: the app's configuration, read from the environment once, every problem listed, then frozen. */
import { ConfigError } from './errors.ts'
import { configDefaults as defaults } from './config-defaults.ts'
import { readIdentity, readScopes, type ClientCredential } from './config-identity.ts'
import {
  readLimits,
  readSentCheck,
  readTimeouts,
  type GraphTimeouts,
  type Limits,
  type SentCheck,
} from './config-limits.ts'
import { deepFreeze, SettingsReader, type Env } from './config-parsers.ts'
import { readSessionSecret, readSessionTimeouts, type SessionTimeouts } from './config-sessions.ts'
import { readListening, readSite } from './config-site.ts'
import { readStore, type StoreConfig } from './config-store.ts'

export { configDefaults } from './config-defaults.ts'
export type { ClientCredential } from './config-identity.ts'
export type { StoreConfig } from './config-store.ts'

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'

export interface Config {
  /** production refuses the development shortcuts (a loopback authority, STORE=memory, no SESSION_SECRET). */
  nodeEnv: 'development' | 'production' | 'test'
  logLevel: LogLevel
  /** The app registration's Application (client) ID. */
  clientId: string
  /** A client secret or a certificate (a private key and its certificate, from one PEM file). */
  credential: ClientCredential
  /** Without a trailing slash, e.g. https://login.microsoftonline.com/common. */
  authority: string
  /** Without a trailing slash, e.g. https://graph.microsoft.com/v1.0. */
  graphBaseUrl: string
  /** The app's origin as the browser sees it, without a trailing slash. */
  publicUrl: string
  /** True when PUBLIC_URL is https (cookies get Secure and the __Host- prefix, HSTS is sent). */
  secureCookies: boolean
  /** publicUrl + REDIRECT_PATH: the only redirect_uri ever sent (OA-06). */
  redirectUri: string
  /** Where the identity provider sends the browser after sign-out. */
  postLogoutRedirectUri: string
  /** Asked at sign-in; openid among them. */
  scopes: readonly string[]
  /** Keys the session ids' HMAC, the form tokens and the token caches' encryption. */
  sessionSecret: string
  /** Where a secret made at the first start is kept (SESSION_SECRET unset, on loopback), readable by its owner only. */
  sessionSecretFile: string | undefined
  store: StoreConfig
  /** The address the server listens on. */
  host: string
  /** The port the server listens on (0: any free port). */
  port: number
  /** Fastify's trustProxy shapes: a boolean, a hop count, or addresses/CIDRs. */
  trustProxy: boolean | number | readonly string[]
  /** The /flow page: the protocol steps of this session's sign-in, secrets redacted. */
  flowInspector: boolean
  session: SessionTimeouts
  limits: Limits
  graph: GraphTimeouts
  /** The lookups that settle a send whose answer was lost (RE-04). */
  sentCheck: SentCheck
  /** Per request to the identity provider (metadata, keys, token endpoint). */
  idpTimeoutMs: number
  /** For in-flight requests on SIGTERM. */
  shutdownGraceMs: number
}

const NODE_ENVS = ['development', 'production', 'test'] as const
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/**
 * Validates the whole environment once; throws one ConfigError listing every problem with its fix, in the order
 * the settings are read below.
 * @example const config = loadConfig(process.env)
 */
export function loadConfig(env: Env): Readonly<Config> {
  const read = new SettingsReader(env)
  const nodeEnv = read.oneOf('NODE_ENV', NODE_ENVS, defaults.NODE_ENV)
  const logLevel = read.oneOf('LOG_LEVEL', LOG_LEVELS, defaults.LOG_LEVEL)
  const production = nodeEnv === 'production'
  const identity = readIdentity(read, production)
  const siteReading = readSite(read)
  const { site, loopback } = siteReading
  const scopes = readScopes(read)
  const store = readStore(read, production)
  const listening = readListening(read, siteReading)
  const flowInspector = read.boolean('FLOW_INSPECTOR', defaults.FLOW_INSPECTOR)
  const session = readSessionTimeouts(read)
  const limits = readLimits(read)
  const timeouts = readTimeouts(read)
  const sentCheck = readSentCheck(read)
  const secret = readSessionSecret(read, { loopback, production, host: listening.host, store })
  if (read.problems.length) throw new ConfigError(read.problems)
  const config: Config = {
    nodeEnv,
    logLevel,
    ...identity,
    ...site,
    scopes,
    ...secret,
    store,
    ...listening,
    flowInspector,
    session,
    limits,
    ...timeouts,
    sentCheck,
  }
  return deepFreeze(config)
}
