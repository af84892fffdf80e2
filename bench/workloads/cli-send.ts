/**
 * CLI: the wall time of `graph-connect send` from process start to exit (median of several runs, one at a time) and,
 * in the same run and against the same emulator, `m365 outlook mail send` (CLI for Microsoft 365, when installed).
 *
 * One emulator serves both, as `npm run emulator` runs it, in its own process on the subjects' core, over TLS in its
 * real-hostname mode (docs/REAL-HOSTNAME-MODE.md): graph-connect reaches it by EMULATOR_URL=https://localhost:<port>;
 * m365, which cannot be configured with another authority or Graph, keeps https://login.microsoftonline.com and
 * https://graph.microsoft.com, and only its own process sends those two names to the emulator's port (a preload that
 * redirects tls.connect; the test CA through NODE_EXTRA_CA_CERTS) — nothing of the machine is changed. Measured:
 * graph-connect delegated (device-code login once) and app-only (--secret, --from), m365 app-only (--authType secret,
 * --sender), graph-connect with no emulator running (it starts one in process on the same data), and
 * `graph-connect --version` (the floor: the launcher and Node's start).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { Agent, getGlobalDispatcher, setGlobalDispatcher } from 'undici'
import { cliEnv, deviceCodeLogin, runCli, type CliResult } from '../../test/kit/cli-process.ts'
import { freePort } from '../../test/kit/free-port.ts'
import { launcher } from '../../test/kit/launched.ts'
import { cores, type BenchOptions } from '../lib/options.ts'
import { median, round } from '../lib/stats.ts'

const DEMO = {
  tenantId: '6f1d6c4e-2b7a-4c39-9e51-0c8a7d3b5f21',
  clientId: '4b0c7f3e-5a1d-4e92-8f6b-1d3c5e7a9b20',
  secret: 'Gc8Q~demo.secret.for.graph-connect_emulator',
  user: { userPrincipalName: 'adele@contoso.test', password: 'Adele.Demo1' },
}
const MAIL = ['--to', 'lea@contoso.test', '--subject', 'Bench']
const SEND = ['send', ...MAIL, '--body', 'Hello from the bench']
const M365_SEND = [
  'outlook',
  'mail',
  'send',
  ...MAIL,
  '--bodyContents',
  'Hello from the bench',
  '--sender',
  DEMO.user.userPrincipalName,
]

/** Sends login.microsoftonline.com and graph.microsoft.com, in this process only, to the emulator's TLS port. */
const REDIRECT = `import tls from 'node:tls'
const names = new Set(['login.microsoftonline.com', 'graph.microsoft.com'])
const port = Number(process.env.BENCH_EMULATOR_PORT)
const connect = tls.connect
tls.connect = function (...args) {
  const options = typeof args[0] === 'object' ? args[0] : undefined
  const host = options && (options.servername || options.host)
  if (names.has(host)) args[0] = { ...options, host: '127.0.0.1', port, servername: host }
  return connect.apply(this, args)
}
`

type Run = (args: string[]) => Promise<CliResult>

/** Wall times (ms) of `runs` processes, after one unmeasured run (the compile cache, the page cache, msal's cache). */
async function wallTimes(run: Run, args: string[], runs: number) {
  const samples: number[] = []
  for (let index = -1; index < runs; index++) {
    const started = performance.now()
    const result = await run(args)
    const elapsed = performance.now() - started
    if (result.code !== 0)
      throw new Error(`${args.join(' ')} exited ${result.code}: ${result.stderr}${result.stdout}`)
    if (index >= 0) samples.push(elapsed)
  }
  const sorted = [...samples].sort((a, b) => a - b)
  return {
    median: round(median(samples)),
    min: round(sorted[0]!),
    max: round(sorted.at(-1)!),
    samples: samples.map(round),
  }
}

export async function cliSend(options: BenchOptions) {
  const scratch = mkdtempSync(join(tmpdir(), 'graph-connect-bench-cli-'))
  const runs = Math.max(2, 2 * options.starts) // 10 by default; 2 in the smoke run (--starts 1)
  const port = await freePort()
  const url = `https://localhost:${port}`
  execFileSync(
    process.execPath,
    [join(dirname(launcher), '../src/emulator/tls/make-test-ca.ts'), join(scratch, 'tls')],
    { stdio: 'ignore' },
  )
  const ca = join(scratch, 'tls', 'ca.pem')
  const emulator = await startEmulator(options, scratch, port)
  const env = cliEnv(join(scratch, 'home'), { EMULATOR_URL: url, NODE_EXTRA_CA_CERTS: ca })
  const graphConnect: Run = (args) => runCli(args, { env, cwd: scratch })
  try {
    const login = await trusting(ca, () => deviceCodeLogin([], { env, cwd: scratch }, DEMO.user))
    if (login.code !== 0) throw new Error(`login exited ${login.code}: ${login.stderr}`)
    const app = await runCli(['login', '-c', 'app', '--secret', '-'], {
      env,
      cwd: scratch,
      input: DEMO.secret,
    })
    if (app.code !== 0) throw new Error(`login --secret exited ${app.code}: ${app.stderr}`)
    const version = await wallTimes(graphConnect, ['--version'], runs)
    const delegated = await wallTimes(graphConnect, SEND, runs)
    const appOnly = await wallTimes(
      graphConnect,
      [...SEND, '-c', 'app', '--from', DEMO.user.userPrincipalName],
      runs,
    )
    const m365 = await m365Send(scratch, port, ca, runs).catch((error: Error) => ({
      skipped: error.message,
    }))
    await stop(emulator)
    const inProcess = await wallTimes(graphConnect, SEND, runs)
    report(delegated, appOnly, inProcess, version, m365)
    return {
      runs,
      versionMs: version,
      sendMs: delegated,
      sendAppOnlyMs: appOnly,
      sendInProcessEmulatorMs: inProcess,
      m365,
    }
  } finally {
    await stop(emulator)
    rmSync(scratch, { recursive: true, force: true })
  }
}

/** This process's fetch trusts the test CA while `work` runs (the device-login pages are on the TLS emulator). */
async function trusting<T>(ca: string, work: () => Promise<T>): Promise<T> {
  const previous = getGlobalDispatcher()
  const agent = new Agent({ connect: { ca: readFileSync(ca, 'utf8') } })
  setGlobalDispatcher(agent)
  try {
    return await work()
  } finally {
    setGlobalDispatcher(previous)
    await agent.close()
  }
}

/** `graph-connect emulator` over TLS, on the subjects' core, its data where an in-process one of `scratch` looks. */
async function startEmulator(
  options: BenchOptions,
  scratch: string,
  port: number,
): Promise<ChildProcess> {
  const tls = join(scratch, 'tls')
  const command = [
    launcher,
    'emulator',
    '--port',
    String(port),
    '--data',
    join(scratch, 'data', 'emulator'),
    '--tls-cert',
    join(tls, 'server-cert.pem'),
    '--tls-key',
    join(tls, 'server-key.pem'),
  ]
  const core = cores(options).subject
  const [file, ...args] = core === undefined ? command : ['taskset', '-c', String(core), ...command]
  const child = spawn(file!, args, { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise<void>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8')
      if (out.includes('Emulator listening on')) resolve()
    })
    child.once('exit', (code) =>
      reject(new Error(`the emulator exited ${code} before listening: ${out}`)),
    )
  })
  return child
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
}

/** `m365 outlook mail send`, app-only on the same emulator; rejects (the reason is kept) when it cannot run. */
async function m365Send(scratch: string, port: number, ca: string, runs: number) {
  let bin: string
  try {
    const manifest = createRequire(import.meta.url).resolve('@pnp/cli-microsoft365/package.json')
    bin = join(dirname(manifest), 'dist', 'index.js')
  } catch {
    throw new Error(
      '@pnp/cli-microsoft365 is not installed (npm install --no-save @pnp/cli-microsoft365@11.11.0)',
    )
  }
  const home = join(scratch, 'm365-home')
  mkdirSync(home)
  const preload = join(scratch, 'm365-redirect.mjs')
  writeFileSync(preload, REDIRECT)
  const env = {
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, // m365's #!/usr/bin/env node: the pinned Node 24
    HOME: home,
    NODE_EXTRA_CA_CERTS: ca,
    NODE_OPTIONS: `--import=${preload}`,
    BENCH_EMULATOR_PORT: String(port),
    CLIMICROSOFT365_NOUPDATE: '1',
  }
  const m365: Run = (args) =>
    runCli([bin, ...args], { env, cwd: scratch, command: process.execPath })
  for (const setup of [
    ['cli', 'config', 'set', '--key', 'disableTelemetry', '--value', 'true'],
    [
      'login',
      '--authType',
      'secret',
      '--appId',
      DEMO.clientId,
      '--secret',
      DEMO.secret,
      '--tenant',
      DEMO.tenantId,
    ],
  ]) {
    const result = await m365(setup)
    if (result.code !== 0)
      throw new Error(`m365 ${setup[0]} exited ${result.code}: ${result.stderr}`)
  }
  const version = createRequire(import.meta.url)('@pnp/cli-microsoft365/package.json') as {
    version: string
  }
  return { version: version.version, sendMs: await wallTimes(m365, M365_SEND, runs) }
}

function report(
  delegated: { median: number },
  appOnly: { median: number },
  inProcess: { median: number },
  version: { median: number },
  m365: { sendMs: { median: number } } | { skipped: string },
): void {
  console.error(
    `   graph-connect send: ${delegated.median} ms (delegated), ${appOnly.median} ms (app-only), ${inProcess.median} ms (no emulator running: one in process); --version ${version.median} ms`,
  )
  console.error(
    `   m365 outlook mail send (app-only): ${'sendMs' in m365 ? `${m365.sendMs.median} ms` : `skipped — ${m365.skipped}`}`,
  )
}
