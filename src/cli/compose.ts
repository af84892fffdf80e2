/**
 * The one composition root: `composeApp` (store, auth, web app over one network) for `npm start`, every test harness
 * and the bench; `startEmulator`, `emulatorSettings`, `embeddedMetadata` wire the emulator; `startCliEmulator` is the
 * command line's own, and `composeCliSession` (cli-session.ts) assembles its tokens and Graph client.
 */
import {
  createAuth,
  createHttpFetch,
  createStore,
  type Config,
  type Logger,
  type Store,
} from '../core/index.ts'
import { buildApp, type ConnectApp } from '../web/app.ts'
import { buildEmulator, type Emulator, type EmulatorOptions } from '../emulator/app.ts'
import type { Env } from './env.ts'
import { lazySchemaCompilers } from './schema-compilers.ts'

export interface ComposeOptions {
  logger: Logger
  /** The network of auth and Graph calls; default core's httpFetch (what `npm start` uses). */
  fetch?: typeof fetch
  /** OpenID metadata handed over in process (the embedded emulator's); otherwise createAuth fetches it. */
  metadata?: unknown
}

export interface ComposedApp {
  app: ConnectApp
  store: Store
  /** Closes the app, then its store. */
  close(): Promise<void>
}

/**
 * Opens the store, resolves the authority and builds the web app, every part on the same network. The flow
 * inspector's recording is per operation (web hands a recorder to core's calls), so nothing here wraps the network.
 */
export async function composeApp(
  config: Readonly<Config>,
  options: ComposeOptions,
): Promise<ComposedApp> {
  const { logger, metadata } = options
  const store = await createStore(config.store)
  try {
    const fetch = options.fetch ?? createHttpFetch()
    const auth = await createAuth(config, { store, fetch, logger, metadata })
    const app = await buildApp(config, {
      store,
      auth,
      logger,
      fetch,
      schemaController: lazySchemaCompilers,
    })
    return {
      app,
      store,
      async close() {
        await app.close()
        await store.close()
      },
    }
  } catch (error) {
    await store.close()
    throw error
  }
}

/** The app's settings for an emulator: its demo app, its tenant, its Graph. Pure config, no branches elsewhere. */
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

/**
 * The emulator as `npm start` embeds it (no CLIENT_ID set) and `npm run emulator` runs it alone: listening on
 * localhost, a different site from the app's 127.0.0.1.
 */
export async function startEmulator(
  port: number,
  options: EmulatorOptions = {},
): Promise<Emulator> {
  const emulator = await buildEmulator({ schemaController: lazySchemaCompilers, ...options })
  try {
    await emulator.listen({ port, host: 'localhost' })
  } catch (error) {
    await emulator.close()
    throw error
  }
  return emulator
}

/**
 * The emulator's OpenID metadata for `authority`, asked in process: the same route, hooks and journal as over HTTP,
 * without a socket. Undefined if it does not answer 200: then createAuth fetches it and reports what is wrong.
 */
export async function embeddedMetadata(emulator: Emulator, authority: string): Promise<unknown> {
  const { host, pathname } = new URL(authority)
  const response = await emulator.fastify.inject({
    url: `${pathname}/v2.0/.well-known/openid-configuration`,
    headers: { host, accept: 'application/json' },
  })
  return response.statusCode === 200 ? response.json() : undefined
}

/**
 * The emulator the command line starts in its own process when none answers at `url` (npm start's or npm run
 * emulator's): on the same data folder and with the same public URL, so the signing key, the refresh tokens and the
 * mailboxes are theirs. `listen`: on the URL's port, for a sign-in whose pages a browser must reach; otherwise it is
 * answered in process only (no port taken).
 */
export async function startCliEmulator(
  url: string,
  dataDir: string,
  listen: boolean,
): Promise<Emulator> {
  const emulator = await buildEmulator({
    schemaController: lazySchemaCompilers,
    dataDir,
    publicUrl: url,
    logger: false,
  })
  if (!listen) return emulator
  try {
    await emulator.listen({ port: Number(new URL(url).port || 80), host: 'localhost' })
  } catch (error) {
    await emulator.close()
    throw error
  }
  return emulator
}
