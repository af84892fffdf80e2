/**
 * launch: `bin/graph-connect <command>` as a real process (the launcher execs Node), its output collected line by
 * line; resolves once it says "Listening on", rejects if it exits first.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const launcher = fileURLToPath(new URL('../../bin/graph-connect', import.meta.url))

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
  /** Date.now() at the exit. */
  at: number
}

export interface Launched {
  child: ChildProcess
  /** Every line it wrote, stdout and stderr. */
  output: string[]
  exited: Promise<Exit>
  /** SIGTERM, then its exit. */
  stop(): Promise<Exit>
}

/** Started with exactly `env` (PATH added), in `cwd`. */
export async function launch(
  command: string,
  options: { env: Record<string, string>; cwd?: string },
): Promise<Launched> {
  const child = spawn(launcher, [command], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const output: string[] = []
  const exited = new Promise<Exit>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  )
  const listening = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output.push(...chunk.toString('utf8').split('\n').filter(Boolean))
      if (output.some((line) => line.includes('Listening on'))) resolve()
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    void exited.then(() =>
      reject(new Error(`${command} exited before listening:\n${output.join('\n')}`)),
    )
  })
  await listening
  return {
    child,
    output,
    exited,
    stop() {
      child.kill('SIGTERM')
      return exited
    },
  }
}
