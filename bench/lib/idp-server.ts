/**
 * B5's servers of the identity platform, each as its users run it in a process of its own pinned to the subject core:
 * what the workload asks of each (paths, request bodies, codes), and the spawn-and-wait they share.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createHash, randomBytes } from 'node:crypto'
import { waitForPort } from './cold-start.ts'
import { usageOf } from './launched-app.ts'
import type { Subject } from './subject.ts'

/** The public client both servers redeem codes for: a native (loopback) redirect URI, PKCE, offline_access. */
export const PUBLIC_REDIRECT_URI = 'http://localhost:3000/'
export const PUBLIC_SCOPE = 'openid profile offline_access https://graph.microsoft.com/User.Read'
/** One PKCE pair for every code of a run (the verifier is what the redemption proves). */
export const PKCE = pkce()

export interface IdpServer {
  key: string
  label: string
  subject: Subject
  /** e.g. http://localhost:41234 */
  base: string
  tenant: string
  clientCredentialsBody: string
  /** Signs in once, then mints `count` codes for the public client through the SSO session. */
  mintCodes(count: number): Promise<string[]>
  /** The public client's redemption of `code`, as msal-node posts it. */
  redemptionBody(code: string): string
}

export interface Spawned {
  subject: Subject
  /** Milliseconds from spawn to the first accepted connection. */
  listenMs: number
}

/** Spawns `command` (pinned to `cpu`), waits until `port` accepts; its CPU and RSS are read from /proc. */
export async function spawnServer(
  name: string,
  command: string[],
  options: { port: number; cwd: string; env: Record<string, string | undefined>; cpu?: number },
): Promise<Spawned> {
  const [file, ...args] =
    options.cpu === undefined ? command : ['taskset', '-c', String(options.cpu), ...command]
  const started = performance.now()
  const child = spawn(file!, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const exited = once(child, 'exit')
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    await exited
    clearTimeout(timer)
  }
  try {
    await waitForPort(options.port, 60_000, () => child.exitCode !== null)
  } catch (error) {
    await stop()
    throw new Error(`${name}: ${(error as Error).message}`, { cause: error })
  }
  const listenMs = performance.now() - started
  // taskset and the launcher exec: the child's pid is the server's own.
  const pid = child.pid!
  const subject: Subject = {
    name,
    url: `http://localhost:${options.port}`,
    pid,
    info: {},
    call: () => Promise.reject(new Error(`${name} answers no bench calls`)),
    usage: async () => usageOf(pid),
    stop,
  }
  return { subject, listenMs }
}

/** The authorize URL of the public client, the same query on both servers. */
export function authorizeQuery(clientId: string): string {
  return new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: PUBLIC_REDIRECT_URI,
    response_mode: 'query',
    scope: PUBLIC_SCOPE,
    state: randomBytes(12).toString('base64url'),
    code_challenge: PKCE.challenge,
    code_challenge_method: 'S256',
  }).toString()
}

/** A client-credentials token request for Graph, as a confidential client sends it. */
export function clientCredentialsBody(clientId: string, clientSecret: string): string {
  return new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: clientSecret,
    scope: 'https://graph.microsoft.com/.default',
  }).toString()
}

/** What msal-node's PublicClientApplication posts for acquireTokenByCode. */
export function publicRedemption(clientId: string, code: string): string {
  return new URLSearchParams({
    client_id: clientId,
    redirect_uri: PUBLIC_REDIRECT_URI,
    scope: PUBLIC_SCOPE,
    code,
    grant_type: 'authorization_code',
    client_info: '1',
    code_verifier: PKCE.verifier,
  }).toString()
}

/** The code in a redirect to the public client. */
export function codeIn(location: string | undefined): string {
  const code = location ? new URL(location, 'http://x').searchParams.get('code') : null
  if (!code) throw new Error(`authorize did not redirect with a code: ${location}`)
  return code
}

/** Runs `mint` from `workers` loops until `count` codes are collected. */
export async function collect(
  count: number,
  mint: () => Promise<string>,
  workers = 16,
): Promise<string[]> {
  const codes: string[] = []
  let started = 0
  const worker = async () => {
    while (started < count) {
      started++
      codes.push(await mint())
    }
  }
  await Promise.all(Array.from({ length: Math.min(workers, count) }, worker))
  return codes
}

function pkce() {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}
