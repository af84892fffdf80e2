/**
 * `npm run bench`: every workload in one run, each server alone in its own process; prints a table,
 * writes <out>/latest.json and <out>/b1.png. Bounded: each load lasts --duration seconds, then it stops.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { describeMachine } from './lib/machine.ts'
import { cores, parseOptions, USAGE } from './lib/options.ts'
import type { BenchOptions, WorkloadName } from './lib/options.ts'
import { plotB1 } from './lib/plot.ts'
import { evaluateTargets, formatTable, summaryRows, targetRows } from './lib/report.ts'
import { b1SignedInPage } from './workloads/b1-page.ts'
import { b2SignIn } from './workloads/b2-sign-in.ts'
import { b3Send } from './workloads/b3-send.ts'
import { b4StartAndMemory } from './workloads/b4-start-memory.ts'
import { b5Identity } from './workloads/b5-identity.ts'
import { emulatorThroughput } from './workloads/emulator-throughput.ts'
import { cliSend } from './workloads/cli-send.ts'
import { mergeBench } from './workloads/merge.ts'

const workloads: Record<WorkloadName, (options: BenchOptions) => Promise<Record<string, unknown>>> =
  {
    emulator: emulatorThroughput,
    b1: b1SignedInPage,
    b2: b2SignIn,
    b3: b3Send,
    b4: b4StartAndMemory,
    b5: b5Identity,
    cli: cliSend,
    merge: mergeBench,
  }

async function main() {
  const options = parseOptions(process.argv.slice(2))
  if (options === 'help') return console.log(USAGE)
  mkdirSync(options.out, { recursive: true })
  if (options.profileDir) mkdirSync(options.profileDir, { recursive: true })
  options.pin = pinSelf(options)
  const pinned = options.pin
  // The machine is shared: its load average before and after says how much of it the bench had.
  const loadAtStart = loadavg().map((value) => Math.round(value * 100) / 100)
  const results: Record<string, Record<string, unknown>> = {}
  const errors: Record<string, string> = {}
  for (const name of options.only) {
    const started = Date.now()
    console.error(`== ${name}`)
    try {
      results[name] = await workloads[name](options)
    } catch (error) {
      errors[name] = error instanceof Error ? (error.stack ?? error.message) : String(error)
      console.error(`!! ${name} failed: ${errors[name]}`)
    }
    console.error(`   ${name} took ${((Date.now() - started) / 1000).toFixed(1)} s`)
  }
  const targets = evaluateTargets(results)
  const machine = {
    ...describeMachine(),
    loadAverage: {
      start: loadAtStart,
      end: loadavg().map((value) => Math.round(value * 100) / 100),
    },
  }
  const report = {
    machine,
    settings: { ...options, profileDir: undefined, pinned },
    results,
    targets,
    errors,
  }
  writeFileSync(`${options.out}/latest.json`, `${JSON.stringify(report, null, 2)}\n`)
  if (options.plot && results.b1) await plotB1(results.b1, machine, `${options.out}/b1.png`)
  const load = `load average ${machine.loadAverage.start[0]} → ${machine.loadAverage.end[0]}`
  const where = `${machine.cpuCount} × ${machine.cpuModel}, ${machine.totalMemoryGiB} GiB, Node ${machine.node}, ${load}`
  console.log(`\nGraph Connect bench — ${machine.date} — ${where} — commit ${machine.commit}`)
  console.log(
    `${options.duration} s per measurement after ${options.warmup} s warm-up, ${options.connections} connections\n`,
  )
  console.log(formatTable(['Workload', 'Measure', 'Value'], summaryRows(results)))
  console.log(`\n${formatTable(['Target', 'Goal', 'Measured', 'Result'], targetRows(targets))}`)
  if (Object.keys(errors).length > 0) {
    console.log(
      `\nFailed workloads: ${Object.keys(errors).join(', ')} (see stderr and latest.json)`,
    )
    process.exitCode = 1
  }
}

/** Pins this process (the load generator) to its core; the subjects get the other one. */
function pinSelf(options: BenchOptions): boolean {
  const { load } = cores(options)
  if (load === undefined) return false
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(load), String(process.pid)], {
      stdio: 'ignore',
    })
    return true
  } catch {
    return false
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exitCode = 1
})
