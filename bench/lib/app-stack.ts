/**
 * The Connect app under test in its own process (pinned to the subject core), and the emulator it signs in
 * against in another (on the load generator's core), so the app's CPU can be read apart from the emulator's.
 */
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { emulatorSettings } from '../../src/cli/compose.ts'
import { EmulatorClient } from '../../src/emulator/index.ts'
import type { Demo, DemoUser } from './entra.ts'
import { benchRedisUrl, cores } from './options.ts'
import type { BenchOptions } from './options.ts'
import { launchApp } from './launched-app.ts'
import { startSubject } from './subject.ts'
import type { Subject } from './subject.ts'

/** The key of the app's sessions for this run (SESSION_SECRET). */
const benchSecret = randomBytes(32).toString('base64url')

const EMULATOR = new URL('../subjects/emulator.ts', import.meta.url).pathname

export interface AppStackOptions {
  dataDir: string
  store: 'sqlite' | 'redis'
  /** Key prefix in Redis, unique per run. */
  redisPrefix?: string
  /** Users added to the emulator beyond the demo ones (sends are rate-limited per user). */
  extraUsers?: number
  /** Name of the .cpuprofile written when --profile is on. */
  profile?: string
}

export interface AppStack {
  app: Subject
  emulator: Subject
  appUrl: string
  demo: Demo
  /**
   * Stops the app process, runs `meanwhile`, and starts a new app process on the same port, configuration and data
   * (`app` is then the new one).
   */
  restartApp(meanwhile?: () => Promise<void>): Promise<void>
  stop(): Promise<void>
}

export async function startAppStack(
  options: BenchOptions,
  stack: AppStackOptions,
): Promise<AppStack> {
  const emulator = await startSubject('emulator', EMULATOR, {
    cpu: cores(options).peer,
    verbose: options.verbose,
  })
  try {
    const client = new EmulatorClient(emulator.url)
    const demo = await client.demo()
    const port = await freePort()
    const appUrl = `http://127.0.0.1:${port}`
    await client.addRedirectUri(demo.clientId, `${appUrl}/connect/get_token/`)
    const users = [...demo.users, ...(await addUsers(client, demo, stack.extraUsers ?? 0))]
    const env = appSettings(options, stack, { url: emulator.url, demo }, appUrl)
    // The app as users run it (bin/graph-connect start), configured by environment for the emulator's process.
    const startApp = () =>
      launchApp({
        env,
        cwd: stack.dataDir,
        cpu: cores(options).subject,
        verbose: options.verbose,
        profileDir:
          options.profileDir && stack.profile
            ? `${options.profileDir}/${stack.profile}`
            : undefined,
      })
    let app = await startApp()
    return {
      get app() {
        return app
      },
      emulator,
      appUrl,
      demo: { ...demo, users },
      restartApp: async (meanwhile) => {
        await app.stop()
        try {
          await meanwhile?.()
        } finally {
          app = await startApp()
        }
      },
      stop: async () => {
        await app.stop()
        await emulator.stop()
      },
    }
  } catch (error) {
    await emulator.stop()
    throw error
  }
}

/**
 * The app's settings: for the emulator exactly as npm start configures itself for its embedded one, but with the flow
 * inspector off, as in any deployment.
 */
function appSettings(
  options: BenchOptions,
  stack: AppStackOptions,
  emulator: Parameters<typeof emulatorSettings>[0],
  appUrl: string,
): Record<string, string> {
  const store =
    stack.store === 'redis'
      ? {
          REDIS_URL: benchRedisUrl,
          REDIS_KEY_PREFIX: stack.redisPrefix ?? 'graph-connect-bench:',
        }
      : {}
  return emulatorSettings(emulator, {
    NODE_ENV: 'development',
    FLOW_INSPECTOR: 'false',
    PUBLIC_URL: appUrl,
    HOST: '127.0.0.1',
    PORT: new URL(appUrl).port,
    STORE: stack.store,
    SQLITE_PATH: `${stack.dataDir}/graph-connect.sqlite`,
    // Given, not made in a data folder: the prefill process computes session keys with it.
    SESSION_SECRET: benchSecret,
    // One client machine drives every flow: raise the per-IP and per-user limits out of the way.
    SIGNIN_LIMIT_PER_MINUTE: '10000',
    SEND_LIMIT_PER_MINUTE: '10000',
    ...store,
    ...options.appEnv,
  }) as Record<string, string>
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
}

async function addUsers(client: EmulatorClient, demo: Demo, count: number): Promise<DemoUser[]> {
  const domain = demo.users[0].userPrincipalName.split('@')[1]
  const users = Array.from({ length: count }, (_, index) => ({
    givenName: 'Bench',
    surname: `User ${index + 1}`,
    userPrincipalName: `bench${index + 1}@${domain}`,
    password: `Bench.Demo${index + 1}`,
  }))
  for (const user of users) await client.addUser(user)
  return users
}
