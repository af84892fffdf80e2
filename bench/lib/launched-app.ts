/**
 * The Connect app as users run it, `bin/graph-connect start` (the launcher's Node flags included), in a process of its
 * own; the bench reads its CPU time and memory from /proc instead of asking it, so it runs no bench code at all.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Subject, Usage } from './subject.ts'

export const LAUNCHER = fileURLToPath(new URL('../../bin/graph-connect', import.meta.url))

export interface LaunchOptions {
  env: Record<string, string>
  /** The working directory (a scratch folder: a developer's .env in the project folder must not leak in). */
  cwd: string
  /** Core to pin the app to with taskset; undefined leaves it to the scheduler. */
  cpu?: number
  /** Write a V8 CPU profile (.cpuprofile) of the app into this folder when it exits. */
  profileDir?: string
  verbose?: boolean
}

/** Starts `graph-connect start` with `env` and resolves once it says it is listening. */
export async function launchApp(options: LaunchOptions): Promise<Subject> {
  const command = [LAUNCHER, 'start']
  const [file, ...args] =
    options.cpu === undefined ? command : ['taskset', '-c', String(options.cpu), ...command]
  const profile = options.profileDir ? `--cpu-prof --cpu-prof-dir=${options.profileDir}` : ''
  const child = spawn(file!, args, {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', ...options.env, NODE_OPTIONS: profile },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const exited = once(child, 'exit')
  const output: string[] = []
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8')
      if (options.verbose) process.stdout.write(text)
      output.push(text)
      if (output.join('').includes('Listening on')) resolve()
    })
    void exited.then(([code]) => reject(new Error(`the app exited (${code}):\n${output.join('')}`)))
  })
  const pid = child.pid!
  return {
    name: 'app',
    url: options.env.PUBLIC_URL!,
    pid,
    info: { env: options.env },
    call: () => Promise.reject(new Error('the launched app answers no bench calls')),
    usage: async () => usageOf(pid),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(timer)
    },
  }
}

/**
 * CPU time of every thread of `pid` (schedstat: nanoseconds on a CPU, where /proc/<pid>/stat counts 10 ms ticks) and
 * its resident memory.
 */
export function usageOf(pid: number): Usage {
  let nanoseconds = 0
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      nanoseconds += Number(
        readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0],
      )
    } catch {
      // a thread that ended between the listing and the read
    }
  }
  const rss = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return { cpuMicros: nanoseconds / 1000, rssBytes: Number(rss?.[1] ?? 0) * 1024 }
}
