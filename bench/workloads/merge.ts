/**
 * Merge (issue 15): `graph-connect merge` as a real process against the emulator in its own process with Exchange's
 * limits on, scaled in time (30 sends per second instead of per minute, 4 requests in flight), 3 sender mailboxes,
 * app-only, draft mode. Measured: the sends' rate in the steady state (from the emulator's journal) and the whole
 * run's wall time, each against the optimum (senders × sends per window), on the SQLite journal and on PostgreSQL with
 * 3 workers; CPU per mail of the merge and of the emulator; peak RSS importing and starting on 1/10 of --merge-rows
 * and on --merge-rows (then Ctrl-C), and of the dry run on --merge-rows.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { cliEnv, runCli, startCli, type RunningCli } from '../../test/kit/cli-process.ts'
import { freshDatabase } from '../../test/kit/test-database.ts'
import { LAUNCHER } from '../lib/launched-app.ts'
import { cores, type BenchOptions } from '../lib/options.ts'
import { sampleProcess, type ProcessSampler } from '../lib/process-sampler.ts'
import { round } from '../lib/stats.ts'
import { startThrottledEmulator, type ThrottledEmulator } from '../lib/throttled-emulator.ts'
import { sendRates } from '../lib/send-rates.ts'

export const MERGE_SENDERS = ['adele@contoso.test', 'lea@contoso.test', 'megan@contoso.test']
/** Exchange's limits with a minute scaled to a second; the merge is given the same ones, as a user would. */
export const MERGE_LIMITS = { concurrent: 4, sends: 30, windowMs: 1_000 }
/** How long the RSS runs send before Ctrl-C, once the rows are imported. */
const SEND_BEFORE_STOP_MS = 3_000

interface Bench {
  options: BenchOptions
  emulator: ThrottledEmulator
  scratch: string
  home: string
}

export async function mergeBench(options: BenchOptions) {
  const scratch = mkdtempSync(join(tmpdir(), 'graph-connect-bench-merge-'))
  const emulator = await startThrottledEmulator(join(scratch, 'emulator'), cores(options).peer)
  const bench: Bench = { options, emulator, scratch, home: join(scratch, 'home') }
  try {
    await emulator.prepare(throttling())
    const login = await runCli(['login', '--secret', '-'], {
      env: cliEnv(bench.home, { EMULATOR_URL: emulator.url }),
      input: `${emulator.clientSecret}\n`,
    })
    if (login.code !== 0) throw new Error(`login --secret exited ${login.code}: ${login.stderr}`)
    // 2 × --duration seconds of sending at the optimum: 1,800 rows by default.
    const rows = Math.round(optimumPerSecond() * 2 * options.duration)
    const sqlite = await throughput(bench, 'sqlite', rows, 1, join(scratch, 'journal.sqlite'))
    const database = await freshDatabase()
    let postgres
    try {
      postgres = await throughput(bench, 'postgres', rows, 3, database.url)
    } finally {
      await database.drop()
    }
    const memory = await memoryRuns(bench)
    report(sqlite, postgres, memory)
    return {
      senders: MERGE_SENDERS.length,
      limits: MERGE_LIMITS,
      optimumPerSecond: optimumPerSecond(),
      rows,
      sqlite,
      postgres,
      memory,
    }
  } finally {
    await emulator.stop()
    rmSync(scratch, { recursive: true, force: true })
  }
}

const optimumPerSecond = () =>
  (MERGE_SENDERS.length * MERGE_LIMITS.sends * 1_000) / MERGE_LIMITS.windowMs

const throttling = () => ({
  concurrent: MERGE_LIMITS.concurrent,
  sendsPerMinute: MERGE_LIMITS.sends,
  sendWindowSeconds: MERGE_LIMITS.windowMs / 1_000,
  requestsPer10Min: 1_000_000,
})

/** The rows file (external recipients, a column per placeholder) and the Markdown body template. */
function writeJobFiles(bench: Bench, label: string, rows: number) {
  const dir = join(bench.scratch, label)
  mkdirSync(dir, { recursive: true })
  const lines = ['to,first_name,id']
  for (let row = 1; row <= rows; row++)
    lines.push(`r${row}@fabrikam.example,Reader ${row},${label}-${row}`)
  const rowsFile = join(dir, 'rows.csv')
  writeFileSync(rowsFile, `${lines.join('\n')}\n`)
  const body = join(dir, 'body.md')
  writeFileSync(body, 'Hello **{{first_name}}**,\n\nyour reference is {{id}}.\n')
  const start = ['merge', rowsFile, '--name', label, '--subject', 'Reference {{id}}']
  start.push('--body-file', body, '--from', MERGE_SENDERS.join(','), '--mode', 'draft')
  start.push('--concurrent', String(MERGE_LIMITS.concurrent))
  start.push('--sends', `${MERGE_LIMITS.sends}/${MERGE_LIMITS.windowMs}ms`)
  return start
}

/** A worker of `graph-connect merge` on the subjects' core, its CPU and peak RSS sampled until it exits. */
function startWorker(bench: Bench, args: string[], journal: string) {
  const core = cores(bench.options).subject
  const env = cliEnv(bench.home, {
    EMULATOR_URL: bench.emulator.url,
    GRAPH_CONNECT_MERGE_JOURNAL: journal,
  })
  const worker =
    core === undefined
      ? startCli(args, { env })
      : startCli(['-c', String(core), LAUNCHER, ...args], { env, command: 'taskset' })
  return { worker, sampler: sampleProcess(worker.child.pid!) }
}

/** One merge of `rows` rows run to its end by `workers` processes sharing `journal`. */
async function throughput(
  bench: Bench,
  label: string,
  rows: number,
  workers: number,
  journal: string,
) {
  const start = writeJobFiles(bench, label, rows)
  await bench.emulator.prepare(throttling())
  const journalEntries = bench.emulator.collectJournal()
  const emulatorCpuBefore = bench.emulator.cpuMicros()
  const started = Date.now()
  const running: { worker: RunningCli; sampler: ProcessSampler; exit?: number }[] = []
  running.push(startWorker(bench, start, journal))
  await running[0]!.worker.waitForStderr(/rows from/)
  const importedMs = Date.now() - started
  for (let extra = 1; extra < workers; extra++)
    running.push(startWorker(bench, ['merge', 'resume', label], journal))
  const exits = await Promise.all(
    running.map(async (entry) => {
      const result = await entry.worker.exited
      entry.sampler.stop()
      if (result.code !== 0)
        throw new Error(`${label}: a worker exited ${result.code}: ${result.stderr.slice(-2000)}`)
      return Date.now()
    }),
  )
  const wallMs = Math.max(...exits) - started
  const emulatorCpuMs = (bench.emulator.cpuMicros() - emulatorCpuBefore) / 1000
  const mergeCpuMs =
    running.reduce((sum, entry) => sum + entry.sampler.result().cpuMicros, 0) / 1000
  const rates = sendRates(await journalEntries(), MERGE_LIMITS.windowMs)
  if (rates.sends !== rows) throw new Error(`${label}: ${rates.sends} sends for ${rows} rows`)
  const optimumWallMs = (rows / optimumPerSecond()) * 1000
  return {
    workers,
    rows,
    steadyPerSecond: round(rates.perSecond),
    steadyEfficiency: round(rates.perSecond / optimumPerSecond()),
    wallSeconds: round(wallMs / 1000),
    wallEfficiency: round(optimumWallMs / wallMs),
    importSeconds: round(importedMs / 1000),
    refused429: rates.refused,
    peakSendsInWindow: rates.peakInWindow,
    mergeCpuMsPerMail: round(mergeCpuMs / rows),
    emulatorCpuMsPerMail: round(emulatorCpuMs / rows),
    mergePeakRssMB: round(
      Math.max(...running.map((entry) => entry.sampler.result().peakRssBytes)) / 2 ** 20,
    ),
    perMailbox: rates.perMailbox,
  }
}

/** Peak RSS importing `rows` rows and sending for a few seconds, then Ctrl-C (a clean stop); the dry run's too. */
async function memoryRuns(bench: Bench) {
  const large = bench.options.mergeRows
  const small = Math.max(1, Math.round(large / 10))
  const starts = {
    small: await importAndStop(bench, small),
    large: await importAndStop(bench, large),
  }
  const dryRun = await dryRunPeak(bench, large)
  return {
    ...starts,
    dryRun,
    largeToSmallRss: round(starts.large.peakRssMB / starts.small.peakRssMB),
  }
}

async function importAndStop(bench: Bench, rows: number) {
  const label = `rss-${rows}`
  const start = writeJobFiles(bench, label, rows)
  await bench.emulator.prepare(throttling())
  const started = Date.now()
  const { worker, sampler } = startWorker(bench, start, join(bench.scratch, `${label}.sqlite`))
  await worker.waitForStderr(/rows from/)
  const importSeconds = (Date.now() - started) / 1000
  await sleep(SEND_BEFORE_STOP_MS)
  worker.child.kill('SIGINT')
  const result = await worker.exited
  sampler.stop()
  // A small run may be done before the Ctrl-C: exit 0, "done: sent N".
  const sent = /(?:stopped|done): sent (\d+)/.exec(result.stderr)?.[1]
  if (![0, 1].includes(result.code ?? -1) || sent === undefined)
    throw new Error(`${label}: Ctrl-C did not stop it cleanly (${result.code}): ${result.stderr}`)
  return {
    rows,
    importSeconds: round(importSeconds),
    sentBeforeStop: Number(sent),
    peakRssMB: round(sampler.result().peakRssBytes / 2 ** 20),
  }
}

async function dryRunPeak(bench: Bench, rows: number) {
  const start = writeJobFiles(bench, `dry-${rows}`, rows)
  const started = Date.now()
  const { worker, sampler } = startWorker(bench, [...start, '--dry-run'], 'unused.sqlite')
  const result = await worker.exited
  sampler.stop()
  if (result.code !== 0) throw new Error(`dry run exited ${result.code}: ${result.stderr}`)
  return {
    rows,
    seconds: round((Date.now() - started) / 1000),
    peakRssMB: round(sampler.result().peakRssBytes / 2 ** 20),
  }
}

function report(
  sqlite: Awaited<ReturnType<typeof throughput>>,
  postgres: Awaited<ReturnType<typeof throughput>>,
  memory: Awaited<ReturnType<typeof memoryRuns>>,
) {
  for (const [name, run] of [
    ['SQLite', sqlite],
    ['PostgreSQL, 3 workers', postgres],
  ] as const)
    console.error(
      `   merge ${name}: ${run.steadyPerSecond}/s steady (${run.steadyEfficiency} of the optimum), wall ${run.wallSeconds} s (${run.wallEfficiency}); CPU per mail ${run.mergeCpuMsPerMail} ms merge, ${run.emulatorCpuMsPerMail} ms emulator`,
    )
  console.error(
    `   merge RSS: ${memory.small.peakRssMB} MB (${memory.small.rows} rows), ${memory.large.peakRssMB} MB (${memory.large.rows} rows); dry run ${memory.dryRun.peakRssMB} MB`,
  )
}
