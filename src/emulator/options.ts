// Options of buildEmulator(), with their defaults in one place.
import type { FastifyServerOptions } from 'fastify'

export interface EmulatorOptions {
  dataDir?: string // SQLite file and signing key under it; omitted → in memory
  publicUrl?: string // base URL the emulator is reached at; default from listen(): http://localhost:<port>
  throttling?: false | { concurrent?: number; requestsPer10Min?: number; sendsPerMinute?: number }
  accessTokenLifetimeSeconds?: number // default 3599 seconds
  idTokenLifetimeSeconds?: number // default 3600 seconds
  authCodeLifetimeSeconds?: number // default 600 seconds (Entra: "about 10 minutes")
  refreshTokenLifetimeSeconds?: number // idle lifetime, default 90 days
  deviceCodeLifetimeSeconds?: number // default 900 seconds
  deviceCodeIntervalSeconds?: number // polling interval announced to device clients, default 5 seconds
  pkce?: 'S256-only' | 'any' // 'any' (Entra) accepts plain and S256; 'S256-only' refuses plain
  issParameter?: boolean // RFC 9207: `iss` in every authorize response, advertised in the metadata (default false, as Entra)
  fixturesFile?: string // extra users/apps (JSON), applied on every start
  tls?: { cert: string | Buffer; key: string | Buffer } // PEM; listen over HTTPS (real-hostname mode: docs/REAL-HOSTNAME-MODE.md)
  logger?: FastifyServerOptions['logger']
}

type Optional = 'dataDir' | 'publicUrl' | 'fixturesFile' | 'logger' | 'tls'
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
    ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)),
  }
}
