/** Parent side of a subject: a server in its own child process, pinned to its own core, driven over IPC. */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'

export interface Usage {
  /** CPU time of the whole process (all threads, user and system), microseconds. */
  cpuMicros: number
  rssBytes: number
}

export interface Subject {
  name: string
  url: string
  pid: number
  info: Record<string, unknown>
  call<T>(method: string, argument?: unknown): Promise<T>
  usage(): Promise<Usage>
  stop(): Promise<void>
}

export interface SubjectOptions {
  args?: string[]
  env?: Record<string, string>
  /** Core to pin the child to with taskset; undefined leaves it to the scheduler. */
  cpu?: number
  /** Write a V8 CPU profile (.cpuprofile) of the child into this folder. */
  profileDir?: string
  verbose?: boolean
  readyTimeoutMs?: number
}

interface Reply {
  type: 'ready' | 'failed' | 'result'
  id?: number
  url?: string
  info?: Record<string, unknown>
  result?: unknown
  error?: string
}

export async function startSubject(
  name: string,
  script: string,
  options: SubjectOptions = {},
): Promise<Subject> {
  const nodeArgs = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : []
  const command = [process.execPath, ...nodeArgs, script, ...(options.args ?? [])]
  const [file, ...args] =
    options.cpu === undefined ? command : ['taskset', '-c', String(options.cpu), ...command]
  const child = spawn(file, args, {
    stdio: ['ignore', options.verbose ? 'inherit' : 'ignore', 'inherit', 'ipc'],
    env: { ...process.env, ...options.env },
  })
  const pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >()
  let nextId = 1
  const ready = waitReady(name, child, options.readyTimeoutMs ?? 60_000)
  child.on('message', (reply: Reply) => {
    if (reply.type !== 'result' || reply.id === undefined) return
    const waiter = pending.get(reply.id)
    pending.delete(reply.id)
    if (reply.error) waiter?.reject(new Error(`${name}: ${reply.error}`))
    else waiter?.resolve(reply.result)
  })
  child.on('exit', () => {
    for (const waiter of pending.values()) waiter.reject(new Error(`${name} exited`))
    pending.clear()
  })
  const { url, info } = await ready
  const call = <T>(method: string, argument?: unknown) =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      child.send({ type: 'call', id, method, argument })
    })
  return {
    name,
    url,
    info,
    pid: child.pid ?? 0,
    call,
    usage: () => call<Usage>('usage'),
    stop: () => stopChild(child),
  }
}

async function waitReady(name: string, child: ChildProcess, timeoutMs: number) {
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  try {
    const outcome = await Promise.race([
      once(child, 'message') as Promise<[Reply]>,
      once(child, 'exit').then(
        ([code]) => [{ type: 'failed', error: `exited with code ${code}` }] as [Reply],
      ),
    ])
    const reply = outcome[0]
    if (reply.type !== 'ready' || !reply.url)
      throw new Error(`${name} did not start: ${reply.error ?? reply.type}`)
    return { url: reply.url, info: reply.info ?? {} }
  } finally {
    clearTimeout(timer)
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  child.send({ type: 'stop' })
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
}
