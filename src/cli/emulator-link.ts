/**
 * How the command line reaches the emulator: the one `npm start` or `npm run emulator` runs at EMULATOR_URL, or else
 * one it starts in its own process on the same data folder. `linkForSignIn` (login: probe first, then listen so a
 * browser can reach the sign-in pages) and `emulatorFallbackFetch` (other commands: use the running one, and start one
 * in process only if a connection to it is refused). `EmulatorLink`.
 */
import type { Emulator, EmulatorClient } from '../emulator/index.ts'
// The module itself, not the emulator's index: commands that find a running emulator load none of the emulator.
import { injectFetch } from '../emulator/inject-fetch.ts'

/**
 * The emulator's modules (Fastify, its routes) and the composition root are loaded only when an emulator is needed
 * here: a command talking to a running one (or to a tenant) never loads them.
 */
const emulatorModule = () => import('../emulator/index.ts')
const startHere = async (url: string, dataDir: string, listen: boolean) =>
  (await import('./compose.ts')).startCliEmulator(url, dataDir, listen)

export interface EmulatorLink {
  url: string
  client: EmulatorClient
  /** The network; requests to the emulator's origin answered in process when it runs here. */
  fetch: typeof fetch
  /** True when this process runs the emulator (it stops when the command ends). */
  inProcess: boolean
  close(): Promise<void>
}

/** A failure before any answer because nothing listens there (never sent, so safe to send elsewhere). */
export function connectionRefused(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string; errors?: { code?: string }[] } })?.cause
  return (
    cause?.code === 'ECONNREFUSED' ||
    (cause?.errors?.length ? cause.errors.every((inner) => inner.code === 'ECONNREFUSED') : false)
  )
}

/**
 * For a sign-in: the emulator answering at `url`, or one started here, listening on the URL's port (the browser or
 * the device-code page must reach it while the command waits). Throws, saying what to do, when something other than
 * the emulator answers there.
 */
export async function linkForSignIn(
  url: string,
  dataDir: string,
  network: typeof fetch,
): Promise<EmulatorLink> {
  const probe = await network(`${url}/_emulator/demo`, {
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(3000),
  }).then(
    (response) => response,
    (error: unknown) => error as Error,
  )
  if (probe instanceof Response) {
    const body = (await probe.json().catch(() => undefined)) as { tenantId?: unknown } | undefined
    if (probe.ok && typeof body?.tenantId === 'string') {
      const client = new (await emulatorModule()).EmulatorClient(url, { fetch: network })
      return { url, client, fetch: network, inProcess: false, close: async () => undefined }
    }
    throw new Error(
      `${url} answers, but not as the Graph Connect emulator (HTTP ${probe.status} for /_emulator/demo): stop what listens there, or set EMULATOR_URL to the emulator's address.`,
    )
  }
  if (!connectionRefused(probe))
    throw new Error(
      `The emulator at ${url} does not answer (${probe.message}): restart npm start / npm run emulator, or set EMULATOR_URL.`,
    )
  const emulator = await startHere(url, dataDir, true)
  return inProcessLink(url, emulator, network, (await emulatorModule()).EmulatorClient)
}

function inProcessLink(
  url: string,
  emulator: Emulator,
  network: typeof fetch,
  Client: typeof EmulatorClient,
): EmulatorLink {
  const local = injectFetch(emulator.fastify)
  const origin = new URL(url).origin
  return {
    url,
    client: new Client(url, { fetch: local }),
    fetch: (input, init) => (originOf(input) === origin ? local : network)(input, init),
    inProcess: true,
    close: () => emulator.close(),
  }
}

const originOf = (input: string | URL | Request) =>
  new URL(input instanceof Request ? input.url : String(input)).origin

/**
 * For a command after sign-in: requests to the emulator's origin go over the network while it answers; the first
 * refused connection starts one here, on `dataDir`, answered in process (no port taken) for the rest of the command.
 * Only a refused connection switches (nothing was sent), so a send is never made twice.
 */
export function emulatorFallbackFetch(
  url: string,
  dataDir: string,
  network: typeof fetch,
): { fetch: typeof fetch; started(): boolean; close(): Promise<void> } {
  const origin = new URL(url).origin
  let emulator: Promise<Emulator> | undefined
  let local: Promise<typeof fetch> | undefined
  const fallback: typeof fetch = async (input, init) => {
    if (originOf(input) !== origin) return network(input, init)
    if (local) return (await local)(input, init)
    try {
      return await network(input, init)
    } catch (error) {
      if (!connectionRefused(error)) throw error
      emulator ??= startHere(url, dataDir, false)
      local ??= emulator.then((started) => injectFetch(started.fastify))
      return (await local)(input, init)
    }
  }
  return {
    fetch: fallback,
    started: () => emulator !== undefined,
    close: async () => {
      if (emulator) await (await emulator).close()
    },
  }
}
