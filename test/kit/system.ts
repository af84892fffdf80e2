/**
 * startSystem: the whole system for the journeys and suites — the real emulator on localhost:0 and any number of
 * app instances composed by composeApp as `npm start` composes them, each on 127.0.0.1, on any store.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { createLogger, loadConfig, type Config, type Store } from '../../src/core/index.ts'
import { composeApp, emulatorSettings } from '../../src/cli/compose.ts'
import {
  buildEmulator,
  type DemoUser,
  type Emulator,
  type EmulatorClient,
  type EmulatorOptions,
} from '../../src/emulator/index.ts'
import type { ConnectApp } from '../../src/web/app.ts'
import { Browser, type BrowserOptions } from './browser.ts'
import { freePort } from './free-port.ts'
import { scratchDir } from './scratch-dir.ts'
import { tapTokenEndpoint } from './tap-token-endpoint.ts'
import { TEST_REDIS_URL } from './test-redis.ts'

export type Settings = Record<string, string>

export interface AppOptions {
  /** 'sqlite' (default): a file in a scratch folder removed on close; 'redis': the suite's Redis (TEST_REDIS_URL), a unique key prefix. */
  store?: 'sqlite' | 'redis' | 'memory'
  /** With store 'redis': the key prefix, shared by instances that must see the same data. */
  redisKeyPrefix?: string
  /** Listen on this port (default: a free one). */
  port?: number
  /** 'https': PUBLIC_URL is https://127.0.0.1:<port> while the app listens on plain HTTP, as behind a TLS terminator. */
  publicScheme?: 'http' | 'https'
  /** App settings over the system's (PUBLIC_URL, LOG_LEVEL and the store's included). */
  env?: Settings
  /** Note every code, token and secret crossing the token endpoint in `artifacts`. */
  tapTokens?: boolean
}

export interface SystemOptions {
  /** buildEmulator's options; throttling is off unless set here. */
  emulator?: EmulatorOptions
  /** Apps use an app registration of the system's own, its secret `CANARY-SECRET-…`, instead of the demo app. */
  canary?: boolean
  /** Defaults of every app of this system (an app's own options win; `env` is merged). */
  apps?: AppOptions
}

export interface AppInstance {
  app: ConnectApp
  config: Readonly<Config>
  store: Store
  /** Where it listens: http://127.0.0.1:<port> (its PUBLIC_URL may differ). */
  url: string
  /** Every JSON line its logger wrote (at LOG_LEVEL, silent by default). */
  logs: string[]
  /** With tapTokens: the client secret and every code and token seen at the token endpoint. */
  artifacts: Set<string>
  /** A new Browser on this app (paths and the app methods go to `url`). */
  browser(options?: Omit<BrowserOptions, 'base'>): Browser
  /** Closes the app and its store (not the emulator). */
  close(): Promise<void>
}

export interface AppRegistration {
  clientId: string
  clientSecret: string
}

export interface System {
  emulator: Emulator
  /** The emulator's typed client. */
  client: EmulatorClient
  /** The app registration the apps use: the demo app's, or the canary's. */
  registration: AppRegistration
  /** A demo user by the start of its user name (adele, megan, …). */
  user(prefix: string): DemoUser
  startApp(options?: AppOptions): Promise<AppInstance>
  /** An app's settings on this system (emulator, registration, `env` over them), its redirect URIs registered. */
  settings(env: Settings): Promise<Settings>
  /** Closes every app still open, then the emulator. */
  close(): Promise<void>
}

/** Rate limits out of the way of suites that sign in and send many times from one address. */
export const RATE_LIMITS_OFF: Settings = {
  SEND_LIMIT_PER_MINUTE: '10000',
  SIGNIN_LIMIT_PER_MINUTE: '10000',
}

/**
 * The security suites: a canary registration, every log line at trace, the token endpoint tapped, rate limits out of
 * the way (a test of the limits sets its own).
 */
export const SECURITY: SystemOptions = {
  canary: true,
  apps: { tapTokens: true, env: { LOG_LEVEL: 'trace', ...RATE_LIMITS_OFF } },
}

/** The reliability suites: apps on the memory store, rate limits out of the way. */
export const RELIABILITY: SystemOptions = { apps: { store: 'memory', env: RATE_LIMITS_OFF } }

/** The emulator listening on localhost:0, ready for apps; `close()` ends all of it. */
export async function startSystem(options: SystemOptions = {}): Promise<System> {
  const emulator = await buildEmulator({ logger: false, throttling: false, ...options.emulator })
  let registration: AppRegistration = emulator.demo
  try {
    await emulator.listen({ port: 0, host: 'localhost' })
    if (options.canary) registration = await registerCanary(emulator.client)
  } catch (error) {
    await emulator.close()
    throw error
  }
  // Taken once listening: the in-process client's URL helpers (url, authorizeUrl…) are the listening URL's.
  const client = emulator.client
  const open = new Set<AppInstance>()
  const system: System = {
    emulator,
    client,
    registration: { clientId: registration.clientId, clientSecret: registration.clientSecret },
    user: (prefix) => demoUser(emulator, prefix),
    async settings(env) {
      const settings = {
        ...(emulatorSettings(emulator, env) as Settings),
        ...(options.canary ? credentials(system.registration) : {}),
        ...env,
      }
      const config = loadConfig(settings)
      for (const uri of [config.redirectUri, config.postLogoutRedirectUri])
        await client.addRedirectUri(system.registration.clientId, uri)
      return settings
    },
    async startApp(appOptions = {}) {
      const defaults = options.apps ?? {}
      const merged = { ...defaults, ...appOptions, env: { ...defaults.env, ...appOptions.env } }
      const app = await startApp(system, merged)
      open.add(app)
      return { ...app, close: () => (open.delete(app) ? app.close() : Promise.resolve()) }
    },
    async close() {
      for (const app of [...open]) {
        open.delete(app)
        await app.close()
      }
      await emulator.close()
    },
  }
  return system
}

/** One app instance, composed and listening; its scratch folder (SQLite) removed on close. */
async function startApp(system: System, options: AppOptions): Promise<AppInstance> {
  const port = options.port ?? (await freePort())
  const scratch = (options.store ?? 'sqlite') === 'sqlite' ? scratchDir() : undefined
  try {
    const settings = await system.settings({
      PUBLIC_URL: `${options.publicScheme ?? 'http'}://127.0.0.1:${port}`,
      LOG_LEVEL: 'silent',
      ...storeSettings(options, scratch?.dir),
      ...options.env,
    })
    return await composeAndListen(loadConfig(settings), port, options, system.registration, scratch)
  } catch (error) {
    scratch?.remove()
    throw error
  }
}

/** composeApp as `npm start` calls it (the logger into `logs`; the network tapped when asked), then listen. */
async function composeAndListen(
  config: Readonly<Config>,
  port: number,
  options: AppOptions,
  registration: AppRegistration,
  scratch: { remove(): void } | undefined,
): Promise<AppInstance> {
  const logs: string[] = []
  const logger = createLogger(config, { write: (line: string) => void logs.push(line) })
  const artifacts = new Set<string>()
  if (options.tapTokens) artifacts.add(registration.clientSecret)
  const composed = await composeApp(config, {
    logger,
    ...(options.tapTokens ? { fetch: tapTokenEndpoint(artifacts) } : {}),
  })
  await composed.app.listen({ host: '127.0.0.1', port }).catch(async (error: unknown) => {
    await composed.close()
    throw error
  })
  const { app, store } = composed
  const url = `http://127.0.0.1:${port}`
  return {
    app,
    config,
    store,
    url,
    logs,
    artifacts,
    browser: (more = {}) => new Browser({ ...more, base: url }),
    async close() {
      await composed.close()
      scratch?.remove()
    },
  }
}

function storeSettings(options: AppOptions, dir: string | undefined): Settings {
  if (options.store === 'memory') return { STORE: 'memory' }
  if (options.store === 'redis')
    return {
      STORE: 'redis',
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: options.redisKeyPrefix ?? `gc-test-${randomUUID()}:`,
    }
  return { STORE: 'sqlite', SQLITE_PATH: `${dir}/app.sqlite` }
}

/** An app registration of the system's own, with a secret every leak scan can recognise. */
async function registerCanary(client: EmulatorClient): Promise<AppRegistration> {
  const canary = {
    clientId: randomUUID(),
    clientSecret: `CANARY-SECRET-${randomBytes(12).toString('base64url')}`,
  }
  await client.addApp({
    clientId: canary.clientId,
    displayName: 'Graph Connect (security suite)',
    secrets: [
      {
        id: randomUUID(),
        value: canary.clientSecret,
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      },
    ],
    redirectUris: [],
    postLogoutRedirectUris: [],
  })
  return canary
}

function credentials(registration: AppRegistration): Settings {
  return { CLIENT_ID: registration.clientId, CLIENT_SECRET: registration.clientSecret }
}

function demoUser(emulator: Emulator, prefix: string): DemoUser {
  const user = emulator.demo.users.find((candidate) =>
    candidate.userPrincipalName.startsWith(prefix),
  )
  if (!user) throw new Error(`no demo user ${prefix}`)
  return user
}
