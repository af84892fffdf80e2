/** The system for black-box reliability tests: the real emulator, and app instances built on it with any store. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/app.ts'
import { loadConfig, type Config } from '../../src/core/config.ts'
import type { Store } from '../../src/core/store/store.ts'
import type { ConnectApp } from '../../src/web/app.ts'
import { emulatorSettings } from '../../src/cli/compose.ts'
import { freePort, listenApp } from './stack.ts'

export { freePort }

export interface JournalEntry {
  seq: number
  method: string
  path: string
  query: Record<string, unknown>
  headers: Record<string, string | undefined>
  body: unknown
  status: number | null
  fault?: string
}

export interface FaultSpec {
  match: { method?: string; path: string }
  count?: number
  action: {
    status?: number
    retryAfter?: number | string
    body?: unknown
    delayMs?: number
    deliverThen?: number
    reset?: true
  }
}

export interface EmulatorHandle {
  emulator: Emulator
  url: string
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON from the control API, shaped per call
  control(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>
  mark(): Promise<number>
  journal(since: number, filter?: { method?: string; path?: string }): Promise<JournalEntry[]>
  fault(spec: FaultSpec): Promise<void>
  clearFaults(): Promise<void>
  /** Messages in a mailbox folder (default inbox), newest first. */
  messages(upn: string, folder?: string): Promise<{ subject: string; folder?: string }[]>
  close(): Promise<void>
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const emulator = await buildEmulator({ logger: false, throttling: false, ...options })
  await emulator.listen({ port: 0, host: 'localhost' })
  const control: EmulatorHandle['control'] = async (method, path, body) => {
    const response = await fetch(`${emulator.url}/_emulator/${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await response.text()
    return { status: response.status, body: text ? JSON.parse(text) : undefined }
  }
  const ok = (result: Awaited<ReturnType<EmulatorHandle['control']>>, what: string) => {
    if (result.status >= 300)
      throw new Error(`${what}: ${result.status} ${JSON.stringify(result.body)}`)
    return result
  }
  return {
    emulator,
    url: emulator.url,
    control,
    mark: async () => ok(await control('GET', 'mark'), 'mark').body.seq as number,
    async journal(since, filter = {}) {
      const query = new URLSearchParams({ since: String(since), ...filter })
      return ok(await control('GET', `journal?${query}`), 'journal').body.entries as JournalEntry[]
    },
    async fault(spec) {
      ok(await control('POST', 'faults', spec), 'fault')
    },
    async clearFaults() {
      ok(await control('DELETE', 'faults'), 'clear faults')
    },
    async messages(upn, folder = 'inbox') {
      return ok(
        await control('GET', `mailboxes/${encodeURIComponent(upn)}/messages?folder=${folder}`),
        'mailbox',
      ).body.value
    },
    close: () => emulator.close(),
  }
}

export interface AppHandle {
  app: ConnectApp
  config: Readonly<Config>
  store: Store
  url: string
  /** Closes the app and its store (not the emulator). */
  close(): Promise<void>
}

export interface AppOptions {
  /** Listen here (default: PUBLIC_URL's port, else a free one). */
  port?: number
  /** Settings on top of the emulator's; PUBLIC_URL defaults to http://127.0.0.1:<port>. */
  env?: Record<string, string>
}

/** A scratch folder removed by the returned function. */
export function scratchDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'graph-connect-reliability-'))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/** One app instance on the emulator, wired like `npm start` does (core's store, auth over msal-node, the web app). */
export async function startApp(
  emulator: EmulatorHandle,
  options: AppOptions = {},
): Promise<AppHandle> {
  const env = options.env ?? {}
  const port =
    options.port ?? (env.PUBLIC_URL ? Number(new URL(env.PUBLIC_URL).port) : await freePort())
  const publicUrl = env.PUBLIC_URL ?? `http://127.0.0.1:${port}`
  await emulator.control('POST', `apps/${emulator.emulator.demo.clientId}/redirect-uris`, {
    uri: `${publicUrl}/connect/get_token/`,
  })
  const config = loadConfig(
    emulatorSettings(emulator.emulator, {
      PUBLIC_URL: publicUrl,
      STORE: 'memory',
      LOG_LEVEL: 'silent',
      SEND_LIMIT_PER_MINUTE: '10000',
      SIGNIN_LIMIT_PER_MINUTE: '10000',
      ...env,
    }),
  )
  const { app, store } = await listenApp(config, port)
  return {
    app,
    config,
    store,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await app.close()
      await store.close()
    },
  }
}

/** The `oid` of the bearer token an emulator journal entry carries (undefined without one). */
export function bearerOid(entry: JournalEntry): string | undefined {
  const header = entry.headers.authorization
  const token = typeof header === 'string' ? /^Bearer (.+)$/.exec(header)?.[1] : undefined
  if (!token) return undefined
  const payload = JSON.parse(
    Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'),
  ) as { oid?: string }
  return payload.oid
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
