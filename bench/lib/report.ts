/** Targets, pass/miss, and the table printed at the end of a run. */
import { round } from './stats.ts'

export interface Target {
  id: string
  goal: string
  value: number | null
  unit: string
  pass: boolean | null
}

type Results = Record<string, Record<string, unknown> | undefined>

const pick = (value: unknown, ...path: string[]): number | null => {
  let current = value
  for (const key of path) current = (current as Record<string, unknown> | undefined)?.[key]
  return typeof current === 'number' && Number.isFinite(current) ? current : null
}

const atLeast = (value: number | null, goal: number) => (value === null ? null : value >= goal)
const atMost = (value: number | null, goal: number) => (value === null ? null : value <= goal)

interface TargetRule {
  id: string
  goal: string
  unit: string
  value: (results: Results) => number | null
  check: (value: number | null) => boolean | null
}

/** The targets of the performance issue, as data: what is read from the results, and the goal it must meet. */
const TARGETS: TargetRule[] = [
  ratio('B1 app ÷ raw node:http (req/s)', 0.5, (r) => pick(r.b1, 'ratios', 'appToRaw')),
  ratio('B1 app ÷ Express reference (req/s)', 5, (r) => pick(r.b1, 'ratios', 'appToExpress')),
  ratio('B1 app ÷ raw, by CPU per request', 0.5, (r) => pick(r.b1, 'cpuRatios', 'appToRaw')),
  ratio('B1 app ÷ Express, by CPU per request', 5, (r) => pick(r.b1, 'cpuRatios', 'appToExpress')),
  ceiling('B2 app CPU per sign-in', 3, 'ms', (r) => pick(r.b2, 'appCpuMsPerSignIn')),
  ceiling('B3 app overhead per send, p50', 1, 'ms', (r) => pick(r.b3, 'overheadMs', 'p50')),
  ceiling('B4 cold start to listening (median)', 300, 'ms', (r) =>
    pick(r.b4, 'coldStartMs', 'median'),
  ),
  ceiling('B4 RSS, 100k sessions, SQLite', 150, 'MB', (r) => pick(r.b4, 'sqlite', 'rssMB')),
  ceiling('B4 RSS, 100k sessions, Redis', 150, 'MB', (r) => pick(r.b4, 'redis', 'rssMB')),
  floor('Emulator code redemptions/s', 500, (r) => pick(r.emulator, 'redemptions', 'perSecond')),
  floor('Emulator sendMail/s', 3000, (r) => pick(r.emulator, 'sendMail', 'perSecond')),
  ratio('Merge sends ÷ optimum, steady state, SQLite', 0.95, (r) =>
    pick(r.merge, 'sqlite', 'steadyEfficiency'),
  ),
  ratio('Merge sends ÷ optimum, steady state, PostgreSQL', 0.95, (r) =>
    pick(r.merge, 'postgres', 'steadyEfficiency'),
  ),
]

function ratio(id: string, goal: number, value: TargetRule['value']): TargetRule {
  return {
    id,
    goal: `≥ ${goal.toFixed(goal < 1 ? 2 : 0)}`,
    unit: '×',
    value,
    check: (v) => atLeast(v, goal),
  }
}

function ceiling(id: string, goal: number, unit: string, value: TargetRule['value']): TargetRule {
  return { id, goal: `≤ ${goal} ${unit}`, unit, value, check: (v) => atMost(v, goal) }
}

function floor(id: string, goal: number, value: TargetRule['value']): TargetRule {
  return {
    id,
    goal: `≥ ${goal.toLocaleString('en-US')}`,
    unit: '/s',
    value,
    check: (v) => atLeast(v, goal),
  }
}

export function evaluateTargets(results: Results): Target[] {
  return TARGETS.map(({ id, goal, unit, value, check }) => {
    const measured = value(results)
    return { id, goal, value: measured, unit, pass: check(measured) }
  })
}

export function targetRows(targets: Target[]): string[][] {
  const verdict = (pass: boolean | null) =>
    pass === null ? 'not measured' : pass ? 'met' : 'MISSED'
  return targets.map((target) => [
    target.id,
    target.goal,
    target.value === null ? '—' : `${round(target.value)} ${target.unit}`,
    verdict(target.pass),
  ])
}

export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  )
  const line = (cells: string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`
  const rule = `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`
  return [line(header), rule, ...rows.map(line)].join('\n')
}

type AddRow = (workload: string, measure: string, value: number | null, unit?: string) => void

/** The curated table: one row per figure a reader looks for. */
export function summaryRows(results: Results): string[][] {
  const rows: string[][] = []
  const add: AddRow = (workload, measure, value, unit = '') => {
    if (value !== null)
      rows.push([workload, measure, `${round(value).toLocaleString('en-US')}${unit}`])
  }
  emulatorRows(add, results.emulator)
  b1Rows(add, results.b1)
  b2Rows(add, results.b2)
  b3Rows(add, results.b3)
  b4Rows(add, results.b4)
  b5Rows(add, results.b5)
  mergeRows(add, results.merge)
  return rows
}

const p50p99 = (value: unknown, ...path: string[]) =>
  [pick(value, ...path, 'p50'), ` / ${pick(value, ...path, 'p99')} ms`] as const

function emulatorRows(add: AddRow, emulator: Results[string]): void {
  for (const [key, label] of [
    ['redemptions', 'code redemptions'],
    ['sendMail', 'sendMail'],
  ] as const) {
    add('Emulator', `${label}/s`, pick(emulator, key, 'perSecond'), '/s')
    add('Emulator', `${label} p50 / p99`, ...p50p99(emulator, key, 'latencyMs'))
  }
}

function b1Rows(add: AddRow, b1: Results[string]): void {
  const subjects = (b1?.subjects ?? {}) as Record<string, { label: string }>
  for (const [key, subject] of Object.entries(subjects)) {
    add('B1 GET /', `${subject.label} req/s`, pick(subjects, key, 'perSecond'), '/s')
    add('B1 GET /', `${subject.label} p50 / p99`, ...p50p99(subjects, key))
  }
  for (const [key, subject] of Object.entries(subjects))
    add(
      'B1 GET /',
      `${subject.label} CPU per request`,
      pick(subjects, key, 'cpuMsPerRequest'),
      ' ms',
    )
  add('B1 GET /', 'app ÷ raw node:http, req/s', pick(b1, 'ratios', 'appToRaw'), '×')
  add('B1 GET /', 'app ÷ Express reference, req/s', pick(b1, 'ratios', 'appToExpress'), '×')
  add('B1 GET /', 'app ÷ raw node:http, by CPU per request', pick(b1, 'cpuRatios', 'appToRaw'), '×')
  add(
    'B1 GET /',
    'app ÷ Express reference, by CPU per request',
    pick(b1, 'cpuRatios', 'appToExpress'),
    '×',
  )
  add('B1 GET /', 'page size', pick(b1, 'pageBytes'), ' B')
}

function b2Rows(add: AddRow, b2: Results[string]): void {
  add('B2 sign-in', 'flows/s', pick(b2, 'flowsPerSecond'), '/s')
  add('B2 sign-in', 'flow p50 / p99', ...p50p99(b2, 'flowLatencyMs'))
  add('B2 sign-in', 'app CPU per sign-in', pick(b2, 'appCpuMsPerSignIn'), ' ms')
  add('B2 sign-in', 'emulator CPU per sign-in', pick(b2, 'emulatorCpuMsPerSignIn'), ' ms')
}

function b3Rows(add: AddRow, b3: Results[string]): void {
  add('B3 send', 'sends/s', pick(b3, 'sendsPerSecond'), '/s')
  add('B3 send', 'latency p50 / p99', ...p50p99(b3, 'latencyMs'))
  add('B3 send', 'app overhead p50 / p99', ...p50p99(b3, 'overheadMs'))
  add(
    'B3 send',
    'app CPU per send (50 at a time / one at a time)',
    pick(b3, 'appCpuMsPerSend'),
    ` / ${pick(b3, 'sequential', 'appCpuMsPerSend')} ms`,
  )
}

function b4Rows(add: AddRow, b4: Results[string]): void {
  add('B4 start', 'cold start to listening (median)', pick(b4, 'coldStartMs', 'median'), ' ms')
  for (const store of ['sqlite', 'redis']) {
    add('B4 memory', `${store}: sessions stored`, pick(b4, store, 'sessions'))
    add('B4 memory', `${store}: RSS after B1 load`, pick(b4, store, 'rssMB'), ' MB')
    add(
      'B4 memory',
      `${store}: B1 req/s / p99`,
      pick(b4, store, 'perSecond'),
      `/s / ${pick(b4, store, 'p99')} ms`,
    )
    const before = (...path: string[]) => pick(b4, store, 'beforePrefill', ...path)
    add(
      'B4 memory',
      `${store}: same, before the prefill`,
      before('perSecond'),
      `/s / ${before('p99')} ms, RSS ${before('rssMB')} MB`,
    )
  }
}

const B5_MEASURES = [
  ['discovery', 'discovery CPU per request', 'cpuMsPerRequest', ' ms'],
  ['jwks', 'JWKS CPU per request', 'cpuMsPerRequest', ' ms'],
  ['clientCredentials', 'client credentials CPU per request', 'cpuMsPerRequest', ' ms'],
  ['redemptions', 'code redemption CPU per request', 'cpuMsPerRequest', ' ms'],
  ['coldStartMs', 'cold start to listening (median)', 'median', ' ms'],
  ['rss', 'RSS after the token requests', 'rssMB', ' MB'],
] as const

function b5Rows(add: AddRow, b5: Results[string]): void {
  const subjects = (b5?.subjects ?? {}) as Record<string, string>
  for (const [measure, label, field, unit] of B5_MEASURES)
    for (const [key, name] of Object.entries(subjects))
      add('B5 identity', `${name}: ${label}`, pick(b5, measure, key, field), unit)
  for (const [ratios, versus] of [
    ['ratios', 'Entra Local'],
    ['baselineRatios', 'baseline'],
  ] as const)
    for (const [key, label] of [
      ['discoveryCpu', 'discovery CPU'],
      ['jwksCpu', 'JWKS CPU'],
      ['clientCredentialsCpu', 'client credentials CPU'],
      ['redemptionCpu', 'redemption CPU'],
      ['coldStart', 'cold start'],
      ['rss', 'RSS'],
    ] as const)
      add('B5 identity', `emulator ÷ ${versus}, ${label}`, pick(b5, ratios, key), '×')
}

function mergeRows(add: AddRow, merge: Results[string]): void {
  for (const [key, label] of [
    ['sqlite', 'SQLite'],
    ['postgres', 'PostgreSQL, 3 workers'],
  ] as const) {
    const at = (...path: string[]) => pick(merge, key, ...path)
    add('Merge', `${label}: sends/s, steady state`, at('steadyPerSecond'), '/s')
    add('Merge', `${label}: steady ÷ optimum`, at('steadyEfficiency'), '×')
    add(
      'Merge',
      `${label}: wall time`,
      at('wallSeconds'),
      ` s (optimum ÷ wall ${at('wallEfficiency')}×)`,
    )
    add(
      'Merge',
      `${label}: CPU per mail, merge / emulator`,
      at('mergeCpuMsPerMail'),
      ` / ${at('emulatorCpuMsPerMail')} ms`,
    )
  }
  for (const size of ['small', 'large'])
    add(
      'Merge',
      `peak RSS, ${pick(merge, 'memory', size, 'rows')} rows, import + start`,
      pick(merge, 'memory', size, 'peakRssMB'),
      ' MB',
    )
  add('Merge', 'peak RSS ratio, large ÷ small', pick(merge, 'memory', 'largeToSmallRss'), '×')
  add(
    'Merge',
    `peak RSS, dry run of ${pick(merge, 'memory', 'dryRun', 'rows')} rows`,
    pick(merge, 'memory', 'dryRun', 'peakRssMB'),
    ' MB',
  )
}
