/**
 * The emulator as `npm run emulator` runs it (`bin/graph-connect emulator`, the launcher's V8 flags, a data folder),
 * for B5; from this checkout or from another one (--baseline) for an A/B in one run.
 */
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { EmulatorClient } from '../../src/emulator/index.ts'
import { freePort } from './app-stack.ts'
import { Browser } from './browser.ts'
import { signInAtEmulator } from './entra.ts'
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

const HERE = fileURLToPath(new URL('../../', import.meta.url))

export interface EmulatorCheckout {
  key: string
  label: string
  /** The project folder whose bin/graph-connect runs (default: this one). */
  root?: string
}

/** Starts the emulator on a free port with `dataDir`, pinned to `cpu`. */
export async function spawnEmulator(
  checkout: EmulatorCheckout,
  dataDir: string,
  cpu?: number,
): Promise<Spawned & { port: number }> {
  const port = await freePort()
  const launcher = join(checkout.root ?? HERE, 'bin/graph-connect')
  const env: Record<string, string | undefined> = { ...process.env }
  delete env.EMULATOR_ALLOWED_HOSTS
  const command = [launcher, 'emulator', '--port', String(port), '--data', dataDir]
  const spawned = await spawnServer(checkout.label, command, { port, cwd: dataDir, env, cpu })
  return { ...spawned, port }
}

/** The emulator, started and set up for B5: the demo app for client credentials, a public client for codes. */
export async function startEmulator(
  checkout: EmulatorCheckout,
  dataDir: string,
  cpu?: number,
): Promise<IdpServer> {
  const { subject, port } = await spawnEmulator(checkout, dataDir, cpu)
  try {
    const base = `http://localhost:${port}`
    const client = new EmulatorClient(base)
    const demo = await client.demo()
    const clientId = randomUUID()
    await client.addApp({
      clientId,
      displayName: 'Bench public client',
      redirectUris: [PUBLIC_REDIRECT_URI],
    })
    const browser = new Browser()
    const user = demo.users[0]!
    const authorize = () =>
      `${base}/${demo.tenantId}/oauth2/v2.0/authorize?${authorizeQuery(clientId)}`
    const mint = async () => codeIn(await signInAtEmulator(browser, authorize(), user))
    await mint() // the interactive sign-in (and consent) once; every later code comes through the SSO session
    return {
      key: checkout.key,
      label: checkout.label,
      subject,
      base,
      tenant: demo.tenantId,
      clientCredentialsBody: clientCredentialsBody(demo.clientId, demo.clientSecret),
      mintCodes: (count) => collect(count, mint),
      redemptionBody: (code) => publicRedemption(clientId, code),
    }
  } catch (error) {
    await subject.stop()
    throw error
  }
}
