/** `start`: the Connect app; with no CLIENT_ID, the embedded emulator too, in the same process. */
import { readFileSync } from 'node:fs'
import type { Emulator } from '../../emulator/app.ts'
import { loadConfig, type Config } from '../../core/config.ts'
import { ConfigError } from '../../core/errors.ts'
import { createHttpFetch } from '../../core/http-fetch.ts'
import { createLogger } from '../../core/logger.ts'
import { createStore } from '../../core/store/store.ts'
import { createAuth, loadMsal } from '../../core/auth/auth.ts'
import { buildApp } from '../../web/app.ts'
import { createRecordingFetch } from '../../web/flow.ts'
import { startServer } from '../../web/server.ts'
import type { Env } from '../env.ts'

export interface StartOptions {
  env: Env
  emulatorPort?: number
  emulatorDataDir?: string
  out?: (line: string) => void
}

export const embeddedEmulatorPort = 8001
/** The embedded emulator's fixture file (src/emulator/directory.ts DEMO_FIXTURES): its first app is the demo app. */
const DEMO_FIXTURES = new URL('../../emulator/fixtures/demo.json', import.meta.url)

/** The app's settings for the embedded emulator: its demo app, its tenant, its Graph. Pure config, no branches elsewhere. */
export function emulatorSettings(
  emulator: { url: string; demo: Pick<Emulator['demo'], 'clientId' | 'clientSecret' | 'tenantId'> },
  env: Env,
): Env {
  return {
    ...env,
    CLIENT_ID: emulator.demo.clientId,
    CLIENT_SECRET: emulator.demo.clientSecret,
    AUTHORITY: `${emulator.url}/${emulator.demo.tenantId}`,
    GRAPH_BASE_URL: `${emulator.url}/v1.0`,
    FLOW_INSPECTOR: env.FLOW_INSPECTOR ?? 'true',
  }
}

export async function start(options: StartOptions): Promise<number> {
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`))
  let env = options.env
  let emulator: Emulator | undefined
  let emulatorReady: Promise<Emulator> | undefined
  if (!env.CLIENT_ID) {
    const port = options.emulatorPort ?? embeddedEmulatorPort
    emulatorReady = buildEmbeddedEmulator(port, options.emulatorDataDir ?? 'data/emulator')
    emulatorReady.catch(() => undefined) // awaited below; this only keeps a failure from being "unhandled" meanwhile
    // On a fixed port the emulator's URL and its demo app are known in advance: the app's configuration, logger and
    // store are made while the emulator builds and listens (cold start). Port 0 has to wait for the real port.
    if (port === 0) {
      emulator = await emulatorReady
      env = emulatorSettings(emulator, env)
    } else {
      env = emulatorSettings({ url: `http://localhost:${port}`, demo: readDemoApp() }, env)
    }
  }
  let config: Readonly<Config>
  try {
    config = loadConfig(env)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    out('The configuration has problems; nothing was started:')
    for (const problem of error.problems)
      out(`  - ${problem.setting} ${problem.message}\n    Fix: ${problem.fix}`)
    await (await emulatorReady?.catch(() => undefined))?.close()
    return 1
  }
  const logger = createLogger(config)
  const store = await createStore(config.store)
  if (emulatorReady && !emulator) {
    emulator = await emulatorReady.catch(async (error: unknown) => {
      await store.close()
      throw error
    })
    assertPredicted(emulator, env)
  }
  const fetch = createRecordingFetch(createHttpFetch())
  const metadata = emulator ? await embeddedMetadata(emulator, config.authority) : undefined
  const auth = await createAuth(config, { store, fetch, logger, metadata })
  const app = await buildApp(config, { store, auth, logger, fetch })
  const server = await startServer(app, {
    host: config.host,
    port: config.port,
    graceMs: config.shutdownGraceMs,
    onClosed: async () => {
      await store.close()
      await emulator?.close()
    },
    flushLog: () => new Promise((resolve) => logger.flush(() => resolve())),
  })
  void preloadSignInModules()
  out('')
  out(`  Graph Connect is running: ${config.publicUrl}/`)
  if (emulator) {
    out(
      `  Microsoft identity platform + Graph emulator: ${emulator.url}/  (inbox viewer: ${emulator.url}/inbox)`,
    )
    out('  Sign in as any demo user:')
    for (const user of emulator.demo.users)
      out(
        `    ${user.userPrincipalName.padEnd(26)} ${user.password.padEnd(14)} ${user.displayName}`,
      )
    out(
      '  To use your own Microsoft 365 tenant, set CLIENT_ID, CLIENT_SECRET and AUTHORITY (see .env.example).',
    )
  }
  if (config.flowInspector) out(`  Flow inspector: ${config.publicUrl}/flow`)
  out(`  Listening on ${server.url}. Ctrl+C stops.`)
  out('')
  return 0
}

async function buildEmbeddedEmulator(port: number, dataDir: string): Promise<Emulator> {
  const { buildEmulator } = await import('../../emulator/app.ts')
  const emulator = await buildEmulator({ dataDir })
  await emulator.listen({ port, host: 'localhost' })
  return emulator
}

type DemoApp = Pick<Emulator['demo'], 'clientId' | 'clientSecret' | 'tenantId'>

/** The embedded emulator's demo app (its fixture file), read without importing the emulator. */
function readDemoApp(): DemoApp {
  const fixtures = JSON.parse(readFileSync(DEMO_FIXTURES, 'utf8')) as {
    tenant: { id: string }
    apps: { clientId: string; secrets: { value: string }[] }[]
  }
  const app = fixtures.apps[0]!
  return {
    tenantId: fixtures.tenant.id,
    clientId: app.clientId,
    clientSecret: app.secrets[0]!.value,
  }
}

/**
 * The embedded emulator's OpenID metadata for `authority`, asked in process: the same route, hooks and journal as over
 * HTTP, without a socket or the platform fetch (whose first use costs a cold start ~20 ms). Undefined if it does not
 * answer 200: then createAuth fetches it over HTTP and reports what is wrong.
 */
async function embeddedMetadata(emulator: Emulator, authority: string): Promise<unknown> {
  const { host, pathname } = new URL(authority)
  const response = await emulator.fastify.inject({
    url: `${pathname}/v2.0/.well-known/openid-configuration`,
    headers: { host, accept: 'application/json' },
  })
  return response.statusCode === 200 ? response.json() : undefined
}

/** The settings computed in advance must be the ones the running emulator gives; anything else is a bug here. */
function assertPredicted(emulator: Emulator, predicted: Env): void {
  const actual = emulatorSettings(emulator, predicted)
  for (const name of ['CLIENT_ID', 'CLIENT_SECRET', 'AUTHORITY', 'GRAPH_BASE_URL'] as const) {
    if (actual[name] !== predicted[name])
      throw new Error(`embedded emulator: ${name} is not the one predicted before it listened`)
  }
}

/** msal and jose load on first use (not before listening); once listening, load them so the first sign-in need not. */
async function preloadSignInModules(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve))
  await Promise.all([loadMsal(), import('jose')]).catch(() => undefined) // a real failure shows at the first sign-in
}
