/** `start`: the Connect app; with no CLIENT_ID, the embedded emulator too, in the same process. */
import type { Emulator } from '../../emulator/app.ts'
import { loadConfig, type Config } from '../../core/config.ts'
import { ConfigError } from '../../core/errors.ts'
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

/** The app's settings for the embedded emulator: its demo app, its tenant, its Graph. Pure config, no branches elsewhere. */
export function emulatorSettings(emulator: Pick<Emulator, 'url' | 'demo'>, env: Env): Env {
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
  if (!env.CLIENT_ID) {
    const { buildEmulator } = await import('../../emulator/app.ts')
    emulator = await buildEmulator({ dataDir: options.emulatorDataDir ?? 'data/emulator' })
    await emulator.listen({ port: options.emulatorPort ?? embeddedEmulatorPort, host: 'localhost' })
    env = emulatorSettings(emulator, env)
  }
  let config: Readonly<Config>
  try {
    config = loadConfig(env)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    out('The configuration has problems; nothing was started:')
    for (const problem of error.problems) out(`  - ${problem.setting} ${problem.message}\n    Fix: ${problem.fix}`)
    await emulator?.close()
    return 1
  }
  const logger = createLogger(config)
  const store = await createStore(config.store)
  const fetch = createRecordingFetch(globalThis.fetch)
  const auth = await createAuth(config, { store, fetch, logger })
  const app = await buildApp(config, { store, auth, logger, fetch })
  const server = await startServer(app, {
    host: config.host,
    port: config.port,
    graceMs: config.shutdownGraceMs,
    onClosed: async () => {
      await store.close()
      await emulator?.close()
    },
  })
  void preloadSignInModules()
  out('')
  out(`  Graph Connect is running: ${config.publicUrl}/`)
  if (emulator) {
    out(`  Microsoft identity platform + Graph emulator: ${emulator.url}/  (inbox viewer: ${emulator.url}/inbox)`)
    out('  Sign in as any demo user:')
    for (const user of emulator.demo.users) out(`    ${user.userPrincipalName.padEnd(26)} ${user.password.padEnd(14)} ${user.displayName}`)
    out('  To use your own Microsoft 365 tenant, set CLIENT_ID, CLIENT_SECRET and AUTHORITY (see .env.example).')
  }
  if (config.flowInspector) out(`  Flow inspector: ${config.publicUrl}/flow`)
  out(`  Listening on ${server.url}. Ctrl+C stops.`)
  out('')
  return 0
}

/** msal and jose load on first use (not before listening); once listening, load them so the first sign-in need not. */
async function preloadSignInModules(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve))
  await Promise.all([loadMsal(), import('jose')]).catch(() => undefined) // a real failure shows at the first sign-in
}
