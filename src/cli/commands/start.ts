/** `start`: the Connect app; with no CLIENT_ID, the embedded emulator too, in the same process. */
import type { Emulator } from '../../emulator/app.ts'
import {
  ConfigError,
  createLogger,
  loadConfig,
  loadMsal,
  type Config,
  type ConfigProblem,
  type Store,
} from '../../core/index.ts'
import { startServer } from '../../web/server.ts'
import type { Command } from '../command.ts'
import { composeApp, embeddedMetadata, emulatorSettings, startEmulator } from '../compose.ts'
import { readEnv, type Env } from '../env.ts'

export interface StartOptions {
  env: Env
  out?: (line: string) => void
}

/** Where the embedded emulator listens unless EMULATOR_PORT says otherwise (0: any free port). */
export const embeddedEmulatorPort = 8001

export const startCommand: Command = {
  name: 'start',
  summary: 'the Connect app; with no CLIENT_ID, the demo emulator in the same process',
  synopsis: '',
  details: [
    'Settings come from the environment and a .env file in the working directory (the environment wins);',
    '.env.example lists every one with its default. Without CLIENT_ID: the app on http://127.0.0.1:8000 and the',
    `emulator on http://localhost:${embeddedEmulatorPort} (EMULATOR_PORT). Runs until SIGINT/SIGTERM, then drains.`,
  ],
  options: {},
  run: () => start({ env: readEnv() }),
}

export async function start(options: StartOptions): Promise<number> {
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`))
  let env = options.env
  let emulator: Emulator | undefined
  if (!env.CLIENT_ID && env.NODE_ENV?.trim() === 'production')
    return reportProblems([productionNeedsTenant], out)
  if (!env.CLIENT_ID) {
    const port = emulatorPort(env)
    if (typeof port !== 'number') return reportProblems([port], out)
    emulator = await startEmulator(port, {
      dataDir: 'data/emulator',
      allowedHosts: env.EMULATOR_ALLOWED_HOSTS,
    })
    env = emulatorSettings(emulator, env)
  }
  let config: Readonly<Config>
  try {
    config = loadConfig(env)
  } catch (error) {
    await emulator?.close()
    if (!(error instanceof ConfigError)) throw error
    return reportProblems(error.problems, out)
  }
  const logger = createLogger(config)
  const metadata = emulator ? await embeddedMetadata(emulator, config.authority) : undefined
  const composed = await composeApp(config, { logger, metadata }).catch(async (error: unknown) => {
    await emulator?.close()
    throw error
  })
  const server = await startServer(composed.app, {
    host: config.host,
    port: config.port,
    graceMs: config.shutdownGraceMs,
    onClosed: async () => {
      await composed.store.close()
      await emulator?.close()
    },
    flushLog: () => new Promise((resolve) => logger.flush(() => resolve())),
  })
  void preloadSignInModules()
  for (const line of banner(config, server.url, emulator)) out(line)
  const unreachable = await storeProblem(config, composed.store)
  if (unreachable) {
    logger.warn({ event: 'store.unreachable' }, unreachable)
    out(`  WARNING: ${unreachable}`)
  }
  return 0
}

/**
 * Redis down at start: the app runs anyway (it reconnects by itself, /readyz says 503 meanwhile), but says so at once
 * and names the setting, rather than leaving the user to find a 503 at Connect.
 */
async function storeProblem(config: Readonly<Config>, store: Store): Promise<string | undefined> {
  if (config.store.kind !== 'redis') return undefined
  const problem = await store.ping().then(
    () => undefined,
    (error: unknown) => error,
  )
  if (!problem) return undefined
  const { hostname, port } = new URL(config.store.url)
  const cause = ((problem as Error).cause as { code?: string; message?: string }) ?? {}
  return (
    `Redis at ${hostname}:${port || 6379} (REDIS_URL) does not answer` +
    `${cause.code ? ` (${cause.code})` : cause.message ? ` (${cause.message})` : ''}: ` +
    'sign-ins and sends answer 503 until it does. Start Redis, or fix REDIS_URL (or STORE).'
  )
}

/** Without CLIENT_ID, start runs the demo emulator, which production refuses: say that, not "AUTHORITY is loopback". */
const productionNeedsTenant: ConfigProblem = {
  setting: 'CLIENT_ID',
  message:
    'is missing: without it the app runs against the built-in demo emulator, which NODE_ENV=production refuses.',
  fix: 'Set CLIENT_ID, CLIENT_SECRET and AUTHORITY of your app registration (see .env.example), or unset NODE_ENV to try the demo.',
}

function reportProblems(problems: readonly ConfigProblem[], out: (line: string) => void): number {
  out('The configuration has problems; nothing was started:')
  for (const problem of problems)
    out(`  - ${problem.setting} ${problem.message}\n    Fix: ${problem.fix}`)
  return 1
}

/** EMULATOR_PORT: the embedded emulator's port, read before the app's configuration (which needs its URL). */
function emulatorPort(env: Env): number | ConfigProblem {
  const value = env.EMULATOR_PORT?.trim()
  if (!value) return embeddedEmulatorPort
  const port = /^\d+$/.test(value) ? Number(value) : Number.NaN
  if (Number.isSafeInteger(port) && port <= 65535) return port
  return {
    setting: 'EMULATOR_PORT',
    message: `"${value}" is not a port number between 0 and 65535.`,
    fix: `Set EMULATOR_PORT to a free port like 8002 (0 picks any free port), or remove it to use ${embeddedEmulatorPort}.`,
  }
}

function banner(config: Readonly<Config>, listening: string, emulator?: Emulator): string[] {
  const lines = ['', `  Graph Connect is running: ${config.publicUrl}/`]
  if (emulator) {
    lines.push(
      `  Microsoft identity platform + Graph emulator: ${emulator.url}/  (inbox viewer: ${emulator.url}/inbox)`,
      '  Sign in as any demo user:',
      ...emulator.demo.users.map(
        (user) =>
          `    ${user.userPrincipalName.padEnd(26)} ${user.password.padEnd(14)} ${user.displayName}`,
      ),
      '  To use your own Microsoft 365 tenant, set CLIENT_ID, CLIENT_SECRET and AUTHORITY (see .env.example).',
    )
  }
  if (config.flowInspector) lines.push(`  Flow inspector: ${config.publicUrl}/flow`)
  lines.push(`  Listening on ${listening}. Ctrl+C stops.`, '')
  return lines
}

/** msal and jose load on first use (not before listening); once listening, load them so the first sign-in need not. */
async function preloadSignInModules(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve))
  await Promise.all([loadMsal(), import('jose')]).catch(() => undefined) // a real failure shows at the first sign-in
}
