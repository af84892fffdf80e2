/** Options of buildEmulator(), with their defaults in one place. */
import type { FastifyServerOptions } from 'fastify'
import { JOURNAL_BYTES } from './control/journal.ts'
import type { ThrottleSetting } from './graph/throttle.ts'

export interface EmulatorOptions {
  /** SQLite file and signing key under it; omitted → in memory. */
  dataDir?: string
  /** Base URL the emulator is reached at; default from listen(): http://localhost:<port>. */
  publicUrl?: string
  /** Outlook's limits (unset ones take Outlook's values), or false for none. */
  throttling?: ThrottleSetting
  /** Default 3599 seconds. */
  accessTokenLifetimeSeconds?: number
  /** Default 3600 seconds. */
  idTokenLifetimeSeconds?: number
  /** Default 600 seconds (Entra: "about 10 minutes"). */
  authCodeLifetimeSeconds?: number
  /** Idle lifetime, default 90 days. */
  refreshTokenLifetimeSeconds?: number
  /** Default 900 seconds. */
  deviceCodeLifetimeSeconds?: number
  /** Polling interval announced to device clients, default 5 seconds. */
  deviceCodeIntervalSeconds?: number
  /** 'any' (Entra) accepts plain and S256; 'S256-only' refuses plain. */
  pkce?: 'S256-only' | 'any'
  /** RFC 9207: `iss` in every authorize response, advertised in the metadata (default false, as Entra). */
  issParameter?: boolean
  /** The journal's budget in estimated bytes, oldest entries dropped first (default 8 MiB; docs/EMULATOR-CONTROL.md). */
  journalBytes?: number
  /** Extra users/apps (JSON), applied on every start. */
  fixturesFile?: string
  /** PEM; listen over HTTPS (real-hostname mode: docs/REAL-HOSTNAME-MODE.md). */
  tls?: TlsFiles
  /**
   * Host names served besides localhost, 127.0.0.1, [::1] and publicUrl's host (any port); others get 421. Names or IP
   * addresses without port (e.g. `['emulator.test']`); a comma-separated string as in EMULATOR_ALLOWED_HOSTS.
   */
  allowedHosts?: readonly string[] | string
  /** Called with each warning (listening beyond loopback); default: process.emitWarning. */
  onWarning?: (message: string) => void
  logger?: FastifyServerOptions['logger']
  /** Fastify's schema compilers; Fastify's defaults unless given (the composition root gives lazy ones). */
  schemaController?: FastifyServerOptions['schemaController']
}

/** The server's certificate and key, PEM. */
export interface TlsFiles {
  cert: string | Buffer
  key: string | Buffer
}

type Optional =
  | 'dataDir'
  | 'publicUrl'
  | 'fixturesFile'
  | 'logger'
  | 'tls'
  | 'schemaController'
  | 'allowedHosts'
  | 'onWarning'
export type ResolvedOptions = Required<Omit<EmulatorOptions, Optional>> &
  Pick<EmulatorOptions, Optional>

export function resolveOptions(options: EmulatorOptions): ResolvedOptions {
  return {
    throttling: {},
    accessTokenLifetimeSeconds: 3599,
    idTokenLifetimeSeconds: 3600,
    authCodeLifetimeSeconds: 600,
    refreshTokenLifetimeSeconds: 90 * 24 * 3600,
    deviceCodeLifetimeSeconds: 900,
    deviceCodeIntervalSeconds: 5,
    pkce: 'any',
    issParameter: false,
    journalBytes: JOURNAL_BYTES,
    ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)),
  }
}
