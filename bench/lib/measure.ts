/** One measurement of one subject: warm-up, then load with the subject's CPU time read around it. */
import { runLoad, assertHealthy } from './load.ts'
import type { LoadOptions } from './load.ts'
import type { BenchOptions } from './options.ts'
import { median, round } from './stats.ts'
import type { Subject, Usage } from './subject.ts'

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
  if (options.warmup > 0)
    await runLoad({ ...load, duration: options.warmup, connections: options.connections })
  const before = await subject.usage()
  const result = await runLoad({
    ...load,
    duration: options.duration,
    connections: options.connections,
  })
  const after = await subject.usage()
  assertHealthy(`${label}`, result)
  const cpuMicros = after.cpuMicros - before.cpuMicros
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

export function cpuMsBetween(before: Usage, after: Usage): number {
  return (after.cpuMicros - before.cpuMicros) / 1000
}

export interface RoundEntry {
  key: string
  label: string
  subject: Subject
  load: Omit<LoadOptions, 'duration' | 'connections'>
}

/**
 * Measures several subjects in alternating rounds (the order rotating each round), so that a burst of outside
 * load on a shared machine hits them alike; each figure is the median of the subject's rounds.
 */
export async function measureInRounds(
  options: BenchOptions,
  entries: RoundEntry[],
  rounds: number,
) {
  const perRound = Math.max(1, options.duration / rounds)
  for (const entry of entries) {
    if (options.warmup > 0)
      await runLoad({ ...entry.load, duration: options.warmup, connections: options.connections })
  }
  const results = new Map<string, Measured[]>(entries.map((entry) => [entry.key, []]))
  for (let round = 0; round < rounds; round++) {
    for (let index = 0; index < entries.length; index++) {
      const entry = entries[(index + round) % entries.length]
      const measured = await measureSubject(
        { ...options, warmup: 0, duration: perRound },
        entry.subject,
        entry.label,
        entry.load,
      )
      results.get(entry.key)?.push(measured)
    }
  }
  return Object.fromEntries(
    entries.map((entry) => [entry.key, medianOf(entry.label, results.get(entry.key) ?? [])]),
  )
}

function medianOf(label: string, rounds: Measured[]): Measured & { rounds: number[] } {
  const mid = (pick: (measured: Measured) => number) => round(median(rounds.map(pick)))
  return {
    label,
    perSecond: mid((measured) => measured.perSecond),
    p50: mid((measured) => measured.p50),
    p99: mid((measured) => measured.p99),
    cpuMsPerRequest: mid((measured) => measured.cpuMsPerRequest),
    rssMB: Math.max(...rounds.map((measured) => measured.rssMB)),
    requests: rounds.reduce((sum, measured) => sum + measured.requests, 0),
    rounds: rounds.map((measured) => measured.perSecond),
  }
}
