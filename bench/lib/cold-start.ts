/** One cold start of `bin/graph-connect start` on its embedded default, timed from spawn to the first accepted connection. */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { connect } from 'node:net'
import { freePort } from './app-stack.ts'
import { LAUNCHER } from './launched-app.ts'
import { cores } from './options.ts'
import type { BenchOptions } from './options.ts'

/** Milliseconds from spawn to the app's port accepting, with the data folder (cwd) `dataDir`. */
export async function coldStart(options: BenchOptions, dataDir: string): Promise<number> {
  const port = await freePort()
  const command = [LAUNCHER, 'start']
  const core = cores(options).subject
  const [file, ...rest] = core === undefined ? command : ['taskset', '-c', String(core), ...command]
  // The embedded emulator on any free port: a bench (and the smoke test in `npm test`) never races a running
  // `npm start` for 8001.
  const env: Record<string, string | undefined> = {
    ...process.env,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    EMULATOR_PORT: '0',
  }
  for (const name of ['CLIENT_ID', 'CLIENT_SECRET', 'AUTHORITY', 'STORE', 'PORT', 'NODE_ENV'])
    delete env[name]
  const started = performance.now()
  const child = spawn(file!, rest, {
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
export async function waitForPort(
  port: number,
  timeoutMs: number,
  died: () => boolean,
): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (performance.now() < deadline) {
    if (died()) throw new Error('the app exited before listening')
    if (await accepts(port)) return
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
  throw new Error(`the app did not listen on ${port} within ${timeoutMs} ms`)
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
