/** The whole system in one process for tests: the real emulator, the real core and the web app, on loopback ports. */
import { createServer } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { buildEmulator, type Emulator } from '../../src/emulator/app.ts'
import { loadConfig, type Config } from '../../src/core/config.ts'
import type { Store } from '../../src/core/store/store.ts'
import type { ConnectApp } from '../../src/web/app.ts'
import { composeApp, emulatorSettings } from '../../src/cli/compose.ts'

export interface Stack {
  emulator: Emulator
  app: ConnectApp
  config: Readonly<Config>
  store: Store
  appUrl: string
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON from the control API, shaped per call
  control(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>
  close(): Promise<void>
}

export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** Composes the app with the one composition root (as `npm start` does) and listens on 127.0.0.1. */
export async function listenApp(
  config: Config,
  port: number,
): Promise<{ app: ConnectApp; store: Store }> {
  const { app, store, close } = await composeApp(config, { logger: pino({ level: 'silent' }) })
  await app.listen({ host: '127.0.0.1', port }).catch(async (error: unknown) => {
    await close()
    throw error
  })
  return { app, store }
}

export async function startStack(
  env: Record<string, string> = {},
  options: { emulator?: Parameters<typeof buildEmulator>[0] } = {},
): Promise<Stack> {
  const emulator = await buildEmulator({ logger: false, ...options.emulator })
  await emulator.listen({ port: 0, host: 'localhost' })
  const port = await freePort()
  const appUrl = `http://127.0.0.1:${port}`
  const dir = mkdtempSync(join(tmpdir(), 'graph-connect-test-'))
  const control = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${emulator.url}/_emulator/${path}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    })
    const text = await response.text()
    return { status: response.status, body: text ? JSON.parse(text) : undefined }
  }
  await control('POST', `apps/${emulator.demo.clientId}/redirect-uris`, {
    uri: `${appUrl}/connect/get_token/`,
  })
  await control('POST', `apps/${emulator.demo.clientId}/redirect-uris`, { uri: `${appUrl}/` })
  const config = loadConfig(
    emulatorSettings(emulator, {
      PUBLIC_URL: appUrl,
      STORE: 'sqlite',
      SQLITE_PATH: join(dir, 'app.sqlite'),
      LOG_LEVEL: 'silent',
      ...env,
    }),
  )
  const { app, store } = await listenApp(config, port)
  return {
    emulator,
    app,
    config,
    store,
    appUrl,
    control,
    async close() {
      await app.close()
      await store.close()
      await emulator.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
