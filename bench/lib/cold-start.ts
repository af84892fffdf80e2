// One cold start of the app on its embedded default, timed from spawn to the first accepted TCP connection.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { connect } from 'node:net'
import { fileURLToPath } from 'node:url'
import { freePort } from './app-stack.ts'
import { cores } from './options.ts'
import type { BenchOptions } from './options.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

export async function coldStart(options: BenchOptions, dataDir: string): Promise<number> {
  const port = await freePort()
  const emulatorPort = await freePort()
  const command = [process.execPath, 'src/cli/main.ts', 'start', '--port', String(port), '--emulator-port', String(emulatorPort), '--data', dataDir]
  const core = cores(options).subject
  const [file, ...args] = core === undefined ? command : ['taskset', '-c', String(core), ...command]
  const started = performance.now()
  const child = spawn(file, args, { cwd: ROOT, stdio: ['ignore', options.verbose ? 'inherit' : 'ignore', 'inherit'] })
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
