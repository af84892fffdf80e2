// One measurement of one subject: warm-up, then load with the subject's CPU time read around it.
import { runLoad, assertHealthy } from './load.ts'
import type { LoadOptions } from './load.ts'
import type { BenchOptions } from './options.ts'
import { round } from './stats.ts'
import type { Subject } from './subject.ts'

export interface Measured {
  label: string
  perSecond: number
  p50: number
  p99: number
  cpuMsPerRequest: number
  rssMB: number
  requests: number
}

export async function measureSubject(
  options: BenchOptions,
  subject: Subject,
  label: string,
  load: Omit<LoadOptions, 'duration' | 'connections'>,
): Promise<Measured> {
  if (options.warmup > 0) await runLoad({ ...load, duration: options.warmup, connections: options.connections })
  const before = await subject.usage()
  const result = await runLoad({ ...load, duration: options.duration, connections: options.connections })
  const after = await subject.usage()
  assertHealthy(`${label}`, result)
  const cpuMicros = after.userMicros + after.systemMicros - before.userMicros - before.systemMicros
  return {
    label,
    perSecond: result.perSecond,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuMsPerRequest: round(cpuMicros / 1000 / Math.max(1, result.ok)),
    rssMB: round(after.rssBytes / 2 ** 20),
    requests: result.ok,
  }
}

export function cpuMsBetween(before: { userMicros: number; systemMicros: number }, after: typeof before): number {
  return (after.userMicros + after.systemMicros - before.userMicros - before.systemMicros) / 1000
}
