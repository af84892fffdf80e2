/**
 * `startThrottledEmulator`: the emulator as `npm run emulator` runs it (`bin/graph-connect emulator`, its own process,
 * pinned), driven through its control API: before each merge its state is reset, Exchange's limits are set (scaled in
 * time) and the demo app gets Mail.ReadWrite app-only; afterwards its journal gives the sends' arrivals.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import {
  EmulatorClient,
  type JournalEntry,
  type ThrottleSetting,
} from '../../src/emulator/index.ts'
import { freePort } from '../../test/kit/free-port.ts'
import { LAUNCHER } from './launched-app.ts'
import { cpuMicrosOf } from './process-sampler.ts'

export interface ThrottledEmulator {
  url: string
  client: EmulatorClient
  clientSecret: string
  pid: number
  /** Empties it (mailboxes, journal, counters), sets `limits` and grants the demo app Mail.ReadWrite app-only. */
  prepare(limits: ThrottleSetting): Promise<void>
  /**
   * Starts reading the journal as it fills; the function returned stops and answers every entry since the last
   * prepare(). Fails if the journal's byte bound dropped some between two reads.
   */
  collectJournal(): () => Promise<JournalEntry[]>
  /** Its CPU time so far (user + system), microseconds. */
  cpuMicros(): number
  stop(): Promise<void>
}

interface JournalPage {
  entries: JournalEntry[]
  dropped?: number
}

const JOURNAL_READ_MS = 1_000

export async function startThrottledEmulator(dataDir: string, cpu?: number) {
  const port = await freePort()
  const command = [LAUNCHER, 'emulator', '--port', String(port), '--data', dataDir]
  const [file, ...args] = cpu === undefined ? command : ['taskset', '-c', String(cpu), ...command]
  const child = spawn(file!, args, {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const exited = once(child, 'exit')
  await new Promise<void>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8')
      if (out.includes('Emulator listening on')) resolve()
    })
    void exited.then(([code]) => reject(new Error(`the emulator exited ${code}: ${out}`)))
  })
  child.stdout!.resume()
  const url = `http://localhost:${port}`
  const client = new EmulatorClient(url)
  const demo = await client.demo()
  const emulator: ThrottledEmulator = {
    url,
    client,
    clientSecret: demo.clientSecret,
    pid: child.pid!,
    async prepare(limits) {
      await client.reset()
      await client.configureThrottling(limits)
      await client.grantConsent({ clientId: demo.clientId, admin: true, roles: ['Mail.ReadWrite'] })
    },
    collectJournal() {
      // The journal keeps a bounded number of bytes: a long merge outgrows it, so it is read as it fills.
      const entries: JournalEntry[] = []
      let since = 0
      const read = async () => {
        const response = await fetch(`${url}/_emulator/journal?since=${since}`)
        const page = (await response.json()) as JournalPage
        if (page.dropped)
          throw new Error(
            `the emulator's journal dropped ${page.dropped} entries between two reads`,
          )
        // Entries still in flight (no status yet) are read again next time.
        const open = page.entries.findIndex((entry) => entry.status === null)
        const done = open === -1 ? page.entries : page.entries.slice(0, open)
        entries.push(...done)
        if (done.length) since = done.at(-1)!.seq
      }
      let failure: unknown
      let reading = Promise.resolve()
      const timer = setInterval(() => {
        reading = reading.then(read).catch((error: unknown) => void (failure ??= error))
      }, JOURNAL_READ_MS)
      return async () => {
        clearInterval(timer)
        await reading
        await read()
        if (failure) throw failure
        return entries
      }
    },
    cpuMicros: () => cpuMicrosOf(child.pid!),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    },
  }
  return emulator
}
