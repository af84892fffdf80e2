/**
 * Keeps `npm run bench` working: every workload for about a second, small session and row counts; asserts that each
 * produced figures and the report's shape, never how fast anything was (no timed assertions).
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const root = fileURLToPath(new URL('../', import.meta.url))
const out = mkdtempSync(join(tmpdir(), 'graph-connect-bench-smoke-'))
const args = [
  'bench/run.ts',
  '--duration',
  '1',
  '--warmup',
  '0.2',
  '--sessions',
  '1000',
  '--starts',
  '1',
  '--token-requests',
  '1000',
  '--merge-rows',
  '2000',
  '--out',
  out,
]

type Json = Record<string, unknown>
let report: Json
let stdout: string

const positive = (value: unknown, name: string) =>
  assert.ok(typeof value === 'number' && value > 0, `${name} = ${value}`)
const section = (name: string) => (report.results as Record<string, Json>)[name]

describe('npm run bench (smoke: ~1 s per workload)', () => {
  before(
    async () => {
      const result = await promisify(execFile)(process.execPath, args, {
        cwd: root,
        timeout: 260_000,
        maxBuffer: 16 << 20,
      })
      stdout = result.stdout
      report = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as Json
    },
    { timeout: 280_000 },
  )
  after(() => rmSync(out, { recursive: true, force: true }))

  test('ran every workload without error and wrote the machine and the settings', () => {
    assert.deepEqual(report.errors, {})
    const machine = report.machine as Json
    positive(machine.cpuCount, 'cpuCount')
    assert.match(String(machine.node), /^v24\./)
    assert.match(String(machine.commit), /^[0-9a-f]{7,}|unknown$/)
    assert.equal((report.settings as Json).duration, 1)
  })

  test('emulator: redemptions/s and sendMail/s', () => {
    positive((section('emulator').redemptions as Json).perSecond, 'redemptions/s')
    positive((section('emulator').sendMail as Json).perSecond, 'sendMail/s')
  })

  test('B1: req/s and latency for the app and each reference, and the ratios', () => {
    const subjects = section('b1').subjects as Record<string, Json>
    assert.deepEqual(Object.keys(subjects).sort(), ['app', 'express', 'fastify', 'raw'])
    for (const [key, subject] of Object.entries(subjects)) {
      positive(subject.perSecond, `${key}.perSecond`)
      positive(subject.p99, `${key}.p99`)
    }
    positive((section('b1').ratios as Json).appToRaw, 'appToRaw')
    positive((section('b1').ratios as Json).appToExpress, 'appToExpress')
  })

  test('B2: flows/s and CPU per sign-in for the app and the emulator apart', () => {
    positive(section('b2').flowsPerSecond, 'flows/s')
    positive(section('b2').appCpuMsPerSignIn, 'app CPU ms')
    positive(section('b2').emulatorCpuMsPerSignIn, 'emulator CPU ms')
  })

  test('B3: sends/s and the app overhead per send', () => {
    positive(section('b3').sendsPerSecond, 'sends/s')
    assert.equal(typeof (section('b3').overheadMs as Json).p50, 'number')
    assert.equal(typeof (section('b3').overheadMs as Json).method, 'string')
  })

  test('B4: cold start and RSS with stored sessions, SQLite and Redis', () => {
    positive((section('b4').coldStartMs as Json).median, 'cold start')
    for (const store of ['sqlite', 'redis']) {
      const figures = section('b4')[store] as Json
      assert.equal(figures.sessions, 1000)
      positive(figures.rssMB, `${store}.rssMB`)
      positive(figures.p99, `${store}.p99`)
    }
  })

  test('B5: the emulator beside Entra Local when installed (ENTRA_LOCAL_DIR), else alone', () => {
    const b5 = section('b5')
    const keys = Object.keys(b5.subjects as Json)
    const measured = b5.entraLocal === 'measured'
    assert.deepEqual(keys, measured ? ['emulator', 'entraLocal'] : ['emulator'])
    for (const key of keys) {
      for (const measure of ['discovery', 'jwks', 'clientCredentials', 'redemptions'])
        positive((b5[measure] as Record<string, Json>)[key]!.cpuMsPerRequest, `${measure}.${key}`)
      positive((b5.coldStartMs as Record<string, Json>)[key]!.median, `coldStart.${key}`)
      positive((b5.rss as Record<string, Json>)[key]!.rssMB, `rss.${key}`)
    }
    assert.equal(b5.tokenRequests, 1000)
    if (measured) positive((b5.ratios as Json).discoveryCpu, 'discovery ratio')
  })

  test('merge: the rate and wall time against the optimum, CPU per mail, RSS by rows', () => {
    const merge = section('merge')
    for (const journal of ['sqlite', 'postgres']) {
      const run = merge[journal] as Json
      for (const figure of ['steadyEfficiency', 'wallEfficiency', 'mergeCpuMsPerMail'])
        positive(run[figure], `${journal}.${figure}`)
      positive(run.emulatorCpuMsPerMail, `${journal}.emulatorCpuMsPerMail`)
    }
    const memory = merge.memory as Record<string, Json>
    assert.deepEqual([memory.small!.rows, memory.large!.rows], [200, 2000])
    for (const run of ['small', 'large', 'dryRun']) positive(memory[run]!.peakRssMB, run)
  })

  test('targets: each with a goal and a verdict; the table and the plot are produced', () => {
    const targets = report.targets as Json[]
    assert.equal(targets.length, 13)
    for (const target of targets)
      assert.ok(target.pass === true || target.pass === false, `${target.id}: ${target.pass}`)
    assert.match(stdout, /\| Target +\| Goal/)
    const png = join(out, 'b1.png')
    if (existsSync('/usr/bin/chromium'))
      assert.deepEqual([...readFileSync(png).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47])
    else assert.ok(existsSync(join(out, 'b1.svg')))
  })
})
