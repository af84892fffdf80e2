/**
 * B2: complete sign-in flows (Connect → emulator sign-in with the password posted → callback → token → home),
 * each from a fresh browser; flows/s and CPU per sign-in of the app process and, apart, of the emulator process.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startAppStack } from '../lib/app-stack.ts'
import type { AppStack } from '../lib/app-stack.ts'
import { signInToApp } from '../lib/connect-app.ts'
import { cpuMsBetween } from '../lib/measure.ts'
import type { BenchOptions } from '../lib/options.ts'
import { distribution, round } from '../lib/stats.ts'

/** Flows in flight at once; each is a chain of ~8 sequential requests across the app and the emulator. */
const CONCURRENT_FLOWS = 16

export async function b2SignIn(options: BenchOptions) {
  const scratch = mkdtempSync(join(tmpdir(), 'graph-connect-bench-b2-'))
  const stack = await startAppStack(options, { dataDir: scratch, store: 'sqlite', profile: 'b2' })
  try {
    if (options.warmup > 0) await runFlows(stack, options.warmup)
    const app = await stack.app.usage()
    const emulator = await stack.emulator.usage()
    const flows = await runFlows(stack, options.duration)
    const appCpuMs = cpuMsBetween(app, await stack.app.usage())
    const emulatorCpuMs = cpuMsBetween(emulator, await stack.emulator.usage())
    const latency = distribution(flows.latencies)
    return {
      flows: flows.latencies.length,
      concurrentFlows: CONCURRENT_FLOWS,
      flowsPerSecond: round(flows.latencies.length / flows.seconds),
      flowLatencyMs: { p50: round(latency.p50), p99: round(latency.p99) },
      appCpuMsPerSignIn: round(appCpuMs / flows.latencies.length),
      emulatorCpuMsPerSignIn: round(emulatorCpuMs / flows.latencies.length),
    }
  } finally {
    await stack.stop()
    rmSync(scratch, { recursive: true, force: true })
  }
}

/** Starts flows for `seconds`, then waits for those in flight, so the CPU read afterwards covers whole flows. */
async function runFlows(stack: AppStack, seconds: number) {
  const latencies: number[] = []
  const started = performance.now()
  const deadline = started + seconds * 1000
  let next = 0
  const worker = async () => {
    while (performance.now() < deadline) {
      const index = next++
      const user = stack.demo.users[index % stack.demo.users.length]
      const begin = performance.now()
      // Each flow from its own loopback address, as from its own client (sign-in starts are limited per IP).
      await signInToApp(stack.appUrl, user, `127.0.0.${2 + (index % 200)}`)
      latencies.push(performance.now() - begin)
    }
  }
  await Promise.all(Array.from({ length: CONCURRENT_FLOWS }, worker))
  return { latencies, seconds: (performance.now() - started) / 1000 }
}
