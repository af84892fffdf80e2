/** The app's configuration: read from the environment once, validated with every problem listed, then frozen. */
import { readFileSync } from 'node:fs'
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { ConfigError } from './errors.ts'
import {
  deepFreeze,
  isLoopbackHost,
  parseTrustProxy,
  SettingsReader,
  withoutTrailingSlash,
  type Env,
} from './config-parsers.ts'

/** Defaults of every optional setting. Secrets never have one. */
export const configDefaults = {
  AUTHORITY: 'https://login.microsoftonline.com/common', // any Entra cloud, or the emulator's URL + tenant
  GRAPH_BASE_URL: 'https://graph.microsoft.com/v1.0',
  PUBLIC_URL: 'http://127.0.0.1:8000', // the seed's reply URL host, so a registration made by its steps works
  REDIRECT_PATH: '/connect/get_token/', // the seed's reply path
  SCOPES: 'openid profile offline_access User.Read Mail.Send',
  STORE: 'sqlite',
  SQLITE_PATH: 'data/graph-connect.sqlite', // relative to the working directory
  REDIS_KEY_PREFIX: 'graph-connect:',
  HOST: '127.0.0.1',
  PORT: 8000, // used when PUBLIC_URL is not on loopback (behind a proxy)
  FLOW_INSPECTOR: false,
  SESSION_IDLE_MINUTES: 60, // minutes without a request before a session ends
  SESSION_ABSOLUTE_HOURS: 12, // hours after sign-in when a session ends whatever the activity
  SEND_LIMIT_PER_MINUTE: 10, // sends per user per minute
  SIGNIN_LIMIT_PER_MINUTE: 20, // sign-in starts per client IP per minute
  GRAPH_TIMEOUT_MS: 10_000, // 10 seconds per Graph attempt
  GRAPH_RETRY_BUDGET_MS: 15_000, // 15 seconds for all attempts of one Graph call, waits included
  IDP_TIMEOUT_MS: 10_000, // 10 seconds per request to the identity provider (metadata, keys, token endpoint)
  SHUTDOWN_GRACE_MS: 10_000, // 10 seconds for in-flight requests on SIGTERM
  LOG_LEVEL: 'info',
  NODE_ENV: 'development',
} as const

/**
 * Used to HMAC session ids only when PUBLIC_URL is on loopback and SESSION_SECRET is unset (the embedded emulator
 * setup). Known to everyone, so never accepted elsewhere; the ids themselves stay 256-bit random.
 */
export const LOOPBACK_SESSION_SECRET =
  'graph-connect-loopback-only-development-secret-not-for-deployment'

export type ClientCredential =
  | { kind: 'secret'; secret: string }
  | {
      kind: 'certificate'
      path: string
      privateKey: string
      certificate: string
      thumbprintSha256: string
    }

export type StoreConfig =
  | { kind: 'sqlite'; path: string }
  | { kind: 'redis'; url: string; keyPrefix: string }
  | { kind: 'memory' }

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'

export interface Config {
  nodeEnv: 'development' | 'production' | 'test'
  logLevel: LogLevel
  clientId: string
  credential: ClientCredential
  /** Without a trailing slash, e.g. https://login.microsoftonline.com/common. */
  authority: string
  /** Without a trailing slash, e.g. https://graph.microsoft.com/v1.0. */
  graphBaseUrl: string
  /** The app's origin as the browser sees it, without a trailing slash. */
  publicUrl: string
  /** True when PUBLIC_URL is https (cookies get Secure and the __Host- prefix, HSTS is sent). */
  secureCookies: boolean
  redirectUri: string
  postLogoutRedirectUri: string
  scopes: readonly string[]
  sessionSecret: string
  sessionSecretIsDefault: boolean
  store: StoreConfig
  host: string
  port: number
  trustProxy: boolean | number | readonly string[]
  flowInspector: boolean
  session: { idleSeconds: number; absoluteSeconds: number }
  limits: { sendsPerMinute: number; signInsPerMinute: number }
  graph: { timeoutMs: number; retryBudgetMs: number }
  idpTimeoutMs: number
  shutdownGraceMs: number
}

const d = configDefaults

/**
 * Validates the whole environment once; throws one ConfigError listing every problem with its fix.
 * @example const config = loadConfig(process.env)
 */
export function loadConfig(env: Env): Readonly<Config> {
  const read = new SettingsReader(env)
  const nodeEnv = read.oneOf('NODE_ENV', ['development', 'production', 'test'] as const, d.NODE_ENV)
  const logLevel = read.oneOf(
    'LOG_LEVEL',
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
    d.LOG_LEVEL,
  )

  const clientId = read.raw('CLIENT_ID') ?? ''
  if (!clientId)
    read.problem(
      'CLIENT_ID',
      'is missing.',
      'Set CLIENT_ID to the Application (client) ID of your app registration, or unset it and run `npm start` to use the embedded emulator.',
    )
  else if (/\s/.test(clientId))
    read.problem(
      'CLIENT_ID',
      'contains spaces.',
      "Copy the Application (client) ID from the app registration's Overview page.",
    )
  const credential = readCredential(read)

  const authorityUrl = read.url(
    'AUTHORITY',
    d.AUTHORITY,
    'https://login.microsoftonline.com/<tenant id>',
  )
  if (authorityUrl && authorityUrl.pathname.replace(/\/+$/, '') === '') {
    read.problem(
      'AUTHORITY',
      'has no tenant in its path.',
      'Add the tenant: https://login.microsoftonline.com/<tenant id | organizations | common>.',
    )
  }
  if (authorityUrl && nodeEnv === 'production' && isLoopbackHost(authorityUrl.hostname)) {
    read.problem(
      'AUTHORITY',
      'points at a loopback host (the emulator) while NODE_ENV=production.',
      'Use your Entra authority in production, or set NODE_ENV=development.',
    )
  }
  const graphUrl = read.url('GRAPH_BASE_URL', d.GRAPH_BASE_URL, 'https://graph.microsoft.com/v1.0')

  const publicUrl = read.url('PUBLIC_URL', d.PUBLIC_URL, 'https://mail-app.example.com')
  if (publicUrl && publicUrl.pathname !== '/') {
    read.problem(
      'PUBLIC_URL',
      'must be an origin without a path.',
      'Set PUBLIC_URL to scheme://host[:port] only; the reply path is REDIRECT_PATH.',
    )
  }
  const loopback = publicUrl ? isLoopbackHost(publicUrl.hostname) : false
  const origin = publicUrl ? publicUrl.origin : d.PUBLIC_URL
  const redirectPath = read.string('REDIRECT_PATH', d.REDIRECT_PATH)
  if (!/^\/[^?#\s]*$/.test(redirectPath) || redirectPath.startsWith('//')) {
    read.problem(
      'REDIRECT_PATH',
      `"${redirectPath}" is not a path.`,
      `Set REDIRECT_PATH to a path like ${d.REDIRECT_PATH}.`,
    )
  }
  const postLogout = read.url('POST_LOGOUT_REDIRECT_URI', `${origin}/`, `${origin}/`)

  const scopes = [
    ...new Set(
      read
        .string('SCOPES', d.SCOPES)
        .split(/[\s,]+/)
        .filter(Boolean),
    ),
  ]
  if (!scopes.includes('openid'))
    read.problem(
      'SCOPES',
      'must include openid (the app signs users in).',
      `Set SCOPES to e.g. "${d.SCOPES}".`,
    )

  const sessionSecret = read.raw('SESSION_SECRET')
  if (sessionSecret !== undefined && sessionSecret.length < 32) {
    read.problem(
      'SESSION_SECRET',
      `is ${sessionSecret.length} characters long; at least 32 are needed.`,
      'Generate one: node -e "console.log(crypto.randomBytes(32).toString(\'base64url\'))"',
    )
  } else if (sessionSecret === undefined && (!loopback || nodeEnv === 'production')) {
    read.problem(
      'SESSION_SECRET',
      'is required when PUBLIC_URL is not on loopback or NODE_ENV=production.',
      'Generate one: node -e "console.log(crypto.randomBytes(32).toString(\'base64url\'))"',
    )
  }

  const store = readStore(read, nodeEnv)
  const port = read.integer(
    'PORT',
    publicUrl && loopback
      ? Number(publicUrl.port || (publicUrl.protocol === 'https:' ? 443 : 80))
      : d.PORT,
    0,
    65535,
    'port',
  )
  const config: Config = {
    nodeEnv,
    logLevel,
    clientId,
    credential: credential ?? { kind: 'secret', secret: '' },
    authority: authorityUrl ? withoutTrailingSlash(authorityUrl) : d.AUTHORITY,
    graphBaseUrl: graphUrl ? withoutTrailingSlash(graphUrl) : d.GRAPH_BASE_URL,
    publicUrl: origin,
    secureCookies: origin.startsWith('https:'),
    redirectUri: `${origin}${redirectPath}`,
    postLogoutRedirectUri: postLogout ? postLogout.href : `${origin}/`,
    scopes,
    sessionSecret: sessionSecret ?? LOOPBACK_SESSION_SECRET,
    sessionSecretIsDefault: sessionSecret === undefined,
    store,
    host: read.string('HOST', d.HOST),
    port,
    trustProxy: parseTrustProxy(read),
    flowInspector: read.boolean('FLOW_INSPECTOR', d.FLOW_INSPECTOR),
    session: readSessionTimeouts(read),
    limits: {
      sendsPerMinute: read.integer(
        'SEND_LIMIT_PER_MINUTE',
        d.SEND_LIMIT_PER_MINUTE,
        1,
        10_000,
        'sends',
      ),
      signInsPerMinute: read.integer(
        'SIGNIN_LIMIT_PER_MINUTE',
        d.SIGNIN_LIMIT_PER_MINUTE,
        1,
        10_000,
        'sign-ins',
      ),
    },
    graph: {
      timeoutMs: read.integer('GRAPH_TIMEOUT_MS', d.GRAPH_TIMEOUT_MS, 100, 300_000, 'milliseconds'),
      retryBudgetMs: read.integer(
        'GRAPH_RETRY_BUDGET_MS',
        d.GRAPH_RETRY_BUDGET_MS,
        0,
        600_000,
        'milliseconds',
      ),
    },
    idpTimeoutMs: read.integer('IDP_TIMEOUT_MS', d.IDP_TIMEOUT_MS, 100, 300_000, 'milliseconds'),
    shutdownGraceMs: read.integer(
      'SHUTDOWN_GRACE_MS',
      d.SHUTDOWN_GRACE_MS,
      0,
      600_000,
      'milliseconds',
    ),
  }
  if (read.problems.length) throw new ConfigError(read.problems)
  return deepFreeze(config)
}

/** Minutes and hours; the *_SECONDS forms win when set (short timeouts for tests and demos, SE-04). */
function readSessionTimeouts(read: SettingsReader): Config['session'] {
  const idleMinutes = read.integer(
    'SESSION_IDLE_MINUTES',
    d.SESSION_IDLE_MINUTES,
    1,
    7 * 24 * 60,
    'minutes',
  )
  const absoluteHours = read.integer(
    'SESSION_ABSOLUTE_HOURS',
    d.SESSION_ABSOLUTE_HOURS,
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

function readCredential(read: SettingsReader): ClientCredential | undefined {
  const secret = read.raw('CLIENT_SECRET')
  const path = read.raw('CLIENT_CERTIFICATE_PATH')
  if (secret && path) {
    read.problem(
      'CLIENT_SECRET',
      'and CLIENT_CERTIFICATE_PATH are both set; exactly one credential is used.',
      'Remove one of them (a certificate is preferred in production).',
    )
    return undefined
  }
  if (secret) return { kind: 'secret', secret }
  if (!path) {
    read.problem(
      'CLIENT_SECRET',
      'is missing (and no CLIENT_CERTIFICATE_PATH either).',
      'Create a client secret under Certificates & secrets in the app registration and set CLIENT_SECRET to its Value (not its ID), or set CLIENT_CERTIFICATE_PATH.',
    )
    return undefined
  }
  try {
    const pem = readFileSync(path, 'utf8')
    const certificate = pem.match(
      /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/,
    )?.[0]
    const privateKey = pem.match(
      /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC )?PRIVATE KEY-----/,
    )?.[0]
    if (!certificate || !privateKey)
      throw new Error('the file must hold both a PRIVATE KEY and a CERTIFICATE block')
    createPrivateKey(privateKey)
    const thumbprintSha256 = new X509Certificate(certificate).fingerprint256.replaceAll(':', '')
    return { kind: 'certificate', path, privateKey, certificate, thumbprintSha256 }
  } catch (error) {
    read.problem(
      'CLIENT_CERTIFICATE_PATH',
      `cannot be used: ${(error as Error).message}.`,
      'Point it at one PEM file holding the private key and the certificate uploaded to the app registration (cat key.pem cert.pem > app.pem).',
    )
    return undefined
  }
}

function readStore(read: SettingsReader, nodeEnv: Config['nodeEnv']): StoreConfig {
  const kind = read.oneOf('STORE', ['sqlite', 'redis', 'memory'] as const, d.STORE)
  if (kind === 'memory' && nodeEnv === 'production') {
    read.problem(
      'STORE',
      'memory loses every session on restart and cannot be shared; it is for tests only.',
      'Set STORE=sqlite (one instance) or STORE=redis (several).',
    )
  }
  if (kind === 'sqlite') return { kind, path: read.string('SQLITE_PATH', d.SQLITE_PATH) }
  if (kind === 'memory') return { kind }
  const url = read.raw('REDIS_URL')
  if (!url || !/^rediss?:\/\/[^\s]+$/.test(url)) {
    read.problem(
      'REDIS_URL',
      url ? 'is not a redis:// or rediss:// URL.' : 'is required when STORE=redis.',
      'Set REDIS_URL=redis://127.0.0.1:6379 (add a password as redis://:password@host:6379).',
    )
  }
  return { kind, url: url ?? '', keyPrefix: read.string('REDIS_KEY_PREFIX', d.REDIS_KEY_PREFIX) }
}
