/**
 * The Connect app as users run it, `bin/graph-connect start` (the launcher's Node flags included), in a process of its
 * own; the bench reads its CPU time and memory from /proc instead of asking it, so it runs no bench code at all.
 */
import { spawn, type ChildProcess } from 'node:child_process'
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

/**
 * Starts `graph-connect start` with `env` and resolves once it answers /healthz. Its standard output (the access log)
 * is discarded, or shown with --verbose, never piped here: Node writes to a pipe synchronously on Linux, so a bench busy
 * generating load would stall the app on its own log lines. Its standard error reaches the terminal.
 */
export async function launchApp(options: LaunchOptions): Promise<Subject> {
  const command = [LAUNCHER, 'start']
  const [file, ...args] =
    options.cpu === undefined ? command : ['taskset', '-c', String(options.cpu), ...command]
  const profile = options.profileDir ? `--cpu-prof --cpu-prof-dir=${options.profileDir}` : ''
  const child = spawn(file!, args, {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', ...options.env, NODE_OPTIONS: profile },
    stdio: ['ignore', options.verbose ? 'inherit' : 'ignore', 'inherit'],
  })
  const exited = once(child, 'exit')
  await listening(options.env.PUBLIC_URL!, child, exited)
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

/** Asks /healthz until the app answers; fails when it exits first (its standard error says why). */
async function listening(url: string, child: ChildProcess, exited: Promise<unknown>) {
  let done = false
  void exited.then(() => (done = true))
  while (!done) {
    const healthy = await fetch(`${url}/healthz`).then(
      (response) => response.ok,
      () => false,
    )
    if (healthy) return
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`the app exited with code ${child.exitCode} before answering ${url}/healthz`)
}

/**
 * CPU time of every thread of `pid` and its resident memory. schedstat counts nanoseconds on a CPU; the clock ticks of
 * /proc/<pid>/stat are too coarse for one send at a time (bench/README.md, "How it measures").
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
