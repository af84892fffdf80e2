/** Child side of a subject: starts a server, reports its URL, answers the bench's calls, stops on request. */
import { getHeapSpaceStatistics } from 'node:v8'

export interface SubjectRuntime {
  url: string
  info?: Record<string, unknown>
  methods?: Record<string, (argument: unknown) => unknown>
  close(): Promise<void>
}

interface Message {
  type: 'call' | 'stop'
  id?: number
  method?: string
  argument?: unknown
}

export function runSubject(start: (args: string[]) => Promise<SubjectRuntime>): void {
  const send = (message: object) => process.send?.(message)
  start(process.argv.slice(2)).then(
    (runtime) => {
      process.on('message', (message: Message) => void handle(runtime, message, send))
      process.on('disconnect', () => void stop(runtime))
      send({ type: 'ready', url: runtime.url, info: runtime.info ?? {} })
    },
    (error: unknown) => {
      send({ type: 'failed', error: error instanceof Error ? error.stack : String(error) })
      process.exitCode = 1
      process.disconnect?.()
    },
  )
}

async function handle(runtime: SubjectRuntime, message: Message, send: (message: object) => void) {
  if (message.type === 'stop') return stop(runtime)
  const methods: Record<string, (argument: unknown) => unknown> = {
    usage,
    memory,
    ...runtime.methods,
  }
  const method = methods[message.method ?? '']
  try {
    if (!method) throw new Error(`no method ${message.method}`)
    send({ type: 'result', id: message.id, result: await method(message.argument) })
  } catch (error) {
    send({
      type: 'result',
      id: message.id,
      error: error instanceof Error ? error.message : String(error),
    })
  }
}

function usage() {
  const cpu = process.cpuUsage()
  return { cpuMicros: cpu.user + cpu.system, rssBytes: process.memoryUsage.rss() }
}

/** Where the memory is: process.memoryUsage() and V8's heap spaces, in MB. */
function memory() {
  const mb = (bytes: number) => Math.round(bytes / 2 ** 20)
  const spaces = Object.fromEntries(
    getHeapSpaceStatistics().map((space) => [space.space_name, mb(space.space_size)]),
  )
  return {
    ...Object.fromEntries(
      Object.entries(process.memoryUsage()).map(([key, value]) => [key, mb(value)]),
    ),
    spaces,
  }
}

let stopping = false
async function stop(runtime: SubjectRuntime) {
  if (stopping) return
  stopping = true
  await runtime.close().catch(() => undefined)
  // Exit through the normal path so that --cpu-prof writes its profile.
  process.disconnect?.()
  setImmediate(() => process.exit(0))
}
