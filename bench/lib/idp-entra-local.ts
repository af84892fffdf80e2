/**
 * Entra Local (cmaneu/entra-local), the reference of B5, as its README runs it from source (`node dist/index.js` after
 * its build), with three settings: plain HTTP (TLS_ENABLED=false, as the emulator's default), every surface on the one
 * localhost origin (ORIGIN_MODE=compat) and LOG_LEVEL=warn (its default `info` logs every request; a stronger
 * reference, as the Express one of B1 runs without its logger). bench/README.md says how to install it.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { freePort } from './app-stack.ts'
import { Browser } from './browser.ts'
import {
  clientCredentialsBody,
  authorizeQuery,
  codeIn,
  collect,
  PUBLIC_REDIRECT_URI,
  publicRedemption,
  spawnServer,
} from './idp-server.ts'
import type { IdpServer, Spawned } from './idp-server.ts'

/** Its seeded tenant, and the daemon app and secret its README documents. */
const TENANT = '11111111-1111-1111-1111-111111111111'
const DAEMON = { id: 'cccccccc-0000-0000-0000-000000000002', secret: 'daemon-app-secret' }

/** Why Entra Local cannot run from `dir`, or undefined when it can. */
export function entraLocalMissing(dir: string | undefined): string | undefined {
  if (!dir) return 'no --entra-local folder (nor ENTRA_LOCAL_DIR) was given'
  if (!existsSync(join(dir, 'dist/index.js'))) return `${dir}/dist/index.js is missing (not built)`
  if (!existsSync(join(dir, 'node_modules/fastify')))
    return `${dir} has no node_modules (not installed)`
  return undefined
}

/** Starts Entra Local on a free port with its database under `dataDir`, pinned to `cpu`. */
export async function spawnEntraLocal(
  dir: string,
  dataDir: string,
  cpu?: number,
): Promise<Spawned & { port: number }> {
  const port = await freePort()
  const env = {
    PATH: process.env.PATH,
    PORT: String(port),
    TENANT_ID: TENANT,
    TLS_ENABLED: 'false',
    ORIGIN_MODE: 'compat',
    LOG_LEVEL: 'warn',
    DB_PATH: join(dataDir, 'entra-local.db'),
    TLS_CERT_DIR: join(dataDir, 'tls'),
  }
  const command = [process.execPath, join(dir, 'dist/index.js')]
  const spawned = await spawnServer('Entra Local', command, { port, cwd: dataDir, env, cpu })
  return { ...spawned, port }
}

/** Entra Local, started and set up for B5: its daemon app for client credentials, a public client for codes. */
export async function startEntraLocal(
  dir: string,
  dataDir: string,
  cpu?: number,
): Promise<IdpServer> {
  const { subject, port } = await spawnEntraLocal(dir, dataDir, cpu)
  try {
    const base = `http://localhost:${port}`
    const clientId = await addPublicClient(base)
    const browser = new Browser()
    const authorize = () => `${base}/${TENANT}/oauth2/v2.0/authorize?${authorizeQuery(clientId)}`
    // The account picker once (its first account); every later code comes through the SSO session (el_session).
    const picker = await browser.request(authorize())
    const state = /name="__el_state" value="([^"]+)"/.exec(picker.body)?.[1]
    const user = /name="__el_user" value="([^"]+)"/.exec(picker.body)?.[1]
    if (!state || !user) throw new Error(`Entra Local: no account picker at ${picker.url}`)
    const signedIn = await browser.request(`${base}/${TENANT}/oauth2/v2.0/authorize`, {
      form: { __el_state: state, __el_user: user },
    })
    codeIn(String(signedIn.headers.location))
    const mint = async () => codeIn(String((await browser.request(authorize())).headers.location))
    return {
      key: 'entraLocal',
      label: 'Entra Local',
      subject,
      base,
      tenant: TENANT,
      clientCredentialsBody: clientCredentialsBody(DAEMON.id, DAEMON.secret),
      mintCodes: (count) => collect(count, mint),
      redemptionBody: (code) => publicRedemption(clientId, code),
    }
  } catch (error) {
    await subject.stop()
    throw error
  }
}

/** Registers the public client through its admin API; returns its client id. */
async function addPublicClient(base: string): Promise<string> {
  const response = await fetch(`${base}/admin/api/apps`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      displayName: 'Bench public client',
      isConfidential: false,
      redirectUris: [{ uri: PUBLIC_REDIRECT_URI, type: 'native' }],
    }),
  })
  const app = (await response.json()) as { id?: string }
  if (!response.ok || !app.id) throw new Error(`Entra Local: app not created (${response.status})`)
  return app.id
}
