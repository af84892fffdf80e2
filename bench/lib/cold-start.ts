// One cold start of the app on its embedded default, timed from spawn to the first accepted TCP connection.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { connect, createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { freePort } from './app-stack.ts'
import { cores } from './options.ts'
import { startNodeFlags } from './start-flags.ts'
import type { BenchOptions } from './options.ts'

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))
const FALLBACK = fileURLToPath(new URL('../subjects/start-embedded.ts', import.meta.url))

/**
 * `npm start` runs the embedded emulator on 8001. With --free-ports, or when 8001 is taken here, the same start() with
 * the emulator on a free port: the smoke test in `npm test` must never race a running `npm start` for 8001.
 */
export async function startCommand(
  options: BenchOptions,
): Promise<{ args: string[]; via: string }> {
  if (!options.freePorts && (await isFree(8001)))
    return { args: [CLI, 'start'], via: 'src/cli/main.ts start' }
  return {
    args: [FALLBACK],
    via: 'bench/subjects/start-embedded.ts (same start(), the emulator on a free port)',
  }
}

/** Milliseconds from spawn to the app's port accepting, with the data folder (cwd) `dataDir`. */
export async function coldStart(
  options: BenchOptions,
  dataDir: string,
  args: string[],
): Promise<number> {
  const port = await freePort()
  // As `npm start` runs it: the same Node flags (package.json's start script) before the script.
  const command = [process.execPath, ...startNodeFlags(), ...args]
  const core = cores(options).subject
  const [file, ...rest] = core === undefined ? command : ['taskset', '-c', String(core), ...command]
  const env: Record<string, string | undefined> = {
    ...process.env,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
  }
  for (const name of ['CLIENT_ID', 'CLIENT_SECRET', 'AUTHORITY', 'STORE', 'PORT', 'NODE_ENV'])
    delete env[name]
  const started = performance.now()
  const child = spawn(file, rest, {
    cwd: dataDir,
    env,
    stdio: ['ignore', options.verbose ? 'inherit' : 'ignore', 'inherit'],
  })
  try {
    await waitForPort(port, child.exitCode === null ? 30_000 : 0, () => child.exitCode !== null)
    return performance.now() - started
  } finally {
    const exited = once(child, 'exit')
    if (child.exitCode === null) child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    await exited
    clearTimeout(timer)
  }
}

/** Tries to connect every 2 ms until the port accepts; fails when the process died or the time is up. */
async function waitForPort(port: number, timeoutMs: number, died: () => boolean): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (performance.now() < deadline) {
    if (died()) throw new Error('the app exited before listening')
    if (await accepts(port)) return
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
  throw new Error(`the app did not listen on ${port} within ${timeoutMs} ms`)
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, 'localhost', () => server.close(() => resolve(true)))
  })
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}
