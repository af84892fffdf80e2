/**
 * B3: POST /send (CSRF and one-time form token from the page) → the emulator's sendMail, throttling off.
 * Throughput at full load; then the app's own overhead per send, measured one send at a time so that each app
 * latency pairs with the emulator's service time of the sendMail it caused (recorded inside the emulator process).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startAppStack } from '../lib/app-stack.ts'
import type { AppStack } from '../lib/app-stack.ts'
import { multipartBody, sendFormFields, signInToApp } from '../lib/connect-app.ts'
import type { SignedIn } from '../lib/connect-app.ts'
import { runLoad } from '../lib/load.ts'
import { cpuMsBetween } from '../lib/measure.ts'
import type { BenchOptions } from '../lib/options.ts'
import { distribution, round } from '../lib/stats.ts'

const SENDMAIL = '^POST /v1\\.0/me/(microsoft\\.graph\\.)?sendMail'
const MAX_TOKENS = 50_000

interface Sender {
  cookie: string
  fields: Record<string, string>
}

interface Recorded {
  samples: number[]
  statuses: Record<string, number>
}

export async function b3Send(options: BenchOptions) {
  const scratch = mkdtempSync(join(tmpdir(), 'graph-connect-bench-b3-'))
  const stack = await startAppStack(options, {
    dataDir: scratch,
    store: 'sqlite',
    profile: 'b3',
    extraUsers: 20,
  })
  try {
    const sessions = await Promise.all(
      stack.demo.users.map((user, index) =>
        signInToApp(stack.appUrl, user, `127.0.0.${10 + index}`),
      ),
    )
    await stack.emulator.call('watch', SENDMAIL)
    const probe = await sendBatch(
      stack,
      sessions,
      options.connections,
      Math.max(200, Math.round(options.warmup * 400)),
    )
    const wanted = Math.min(MAX_TOKENS, Math.ceil(probe.perSecond * options.duration * 1.1))
    const before = await stack.app.usage()
    const full = await sendBatch(stack, sessions, options.connections, wanted)
    const appCpuMs = cpuMsBetween(before, await stack.app.usage())
    // One send at a time: the overhead below, and the app's CPU per send without concurrency (steadier on a busy machine).
    const beforeOne = await stack.app.usage()
    const one = await sendBatch(
      stack,
      sessions,
      1,
      Math.max(50, Math.min(1000, Math.round(options.duration * 100))),
    )
    const oneCpuMs = cpuMsBetween(beforeOne, await stack.app.usage())
    return {
      users: sessions.length,
      sends: full.delivered,
      sendsPerSecond: round(full.delivered / full.seconds),
      latencyMs: { p50: full.latency.p50, p99: full.latency.p99 },
      appStatuses: full.statusCodes,
      appCpuMsPerSend: round(appCpuMs / Math.max(1, full.delivered)),
      ...overhead(one, oneCpuMs),
    }
  } finally {
    await stack.stop()
    rmSync(scratch, { recursive: true, force: true })
  }
}

/** Collects `count` form tokens (GET / renders a fresh one each time), then posts them all as fast as allowed. */
async function sendBatch(
  stack: AppStack,
  sessions: SignedIn[],
  connections: number,
  count: number,
) {
  const senders = await harvest(stack.appUrl, sessions, count)
  let next = 0
  const result = await runLoad({
    url: `${stack.appUrl}/send`,
    connections: Math.min(connections, senders.length),
    duration: 600,
    amount: senders.length,
    method: 'POST',
    expectStatus: 303,
    keepSamples: connections === 1,
    setupRequest: (request) => {
      const sender = senders[next++ % senders.length]
      const { body, contentType } = multipartBody(sender.fields)
      return {
        ...request,
        method: 'POST',
        headers: { cookie: sender.cookie, 'content-type': contentType, origin: stack.appUrl },
        body,
      }
    },
  })
  const [emulator] = await stack.emulator.call<Recorded[]>('serviceTimes')
  const delivered = emulator.statuses['202'] ?? 0
  if (delivered < result.requests * 0.99) {
    const app = JSON.stringify(result.statusCodes)
    throw new Error(
      `B3: ${result.requests} POST /send (${app}) but ${delivered} sendMail accepted (${JSON.stringify(emulator.statuses)})`,
    )
  }
  return { ...result, delivered, emulator }
}

async function harvest(appUrl: string, sessions: SignedIn[], count: number): Promise<Sender[]> {
  const senders: Sender[] = []
  const worker = async (session: SignedIn) => {
    while (senders.length < count) {
      const home = await session.browser.request(`${appUrl}/`)
      senders.push({ cookie: session.cookie, fields: sendFormFields(home) })
    }
  }
  await Promise.all(sessions.flatMap((session) => [worker(session), worker(session)]))
  return senders.slice(0, count)
}

/** App latency minus the emulator's service time of the same send (one at a time, so they pair in order). */
function overhead(one: Awaited<ReturnType<typeof sendBatch>>, appCpuMs: number) {
  const service = one.emulator.samples
  const app = one.samples ?? []
  const paired = app.length === service.length
  const differences = paired ? app.map((latency, index) => latency - service[index]) : []
  const own = distribution(differences)
  const serviceDistribution = distribution(service)
  return {
    sequential: {
      sends: one.delivered,
      appLatencyMs: { p50: one.latency.p50, p99: one.latency.p99 },
      // The form tokens were collected (GET /) before the timed sends: this is POST /send alone.
      appCpuMsPerSend: round(appCpuMs / Math.max(1, one.delivered)),
      emulatorServiceMs: {
        p50: round(serviceDistribution.p50),
        p99: round(serviceDistribution.p99),
      },
    },
    overheadMs: paired
      ? { p50: round(own.p50), p99: round(own.p99), method: PAIRED }
      : {
          p50: round(one.latency.p50 - serviceDistribution.p50),
          p99: round(one.latency.p99 - serviceDistribution.p99),
          method: MEDIANS,
        },
  }
}

const PAIRED =
  'one send at a time; for each send, POST /send latency seen by the bench minus the service time of the sendMail it caused, measured inside the emulator process (request event to response finish)'
const MEDIANS =
  'one send at a time; percentiles of POST /send latency minus the same percentiles of the emulator sendMail service time (counts did not pair)'
