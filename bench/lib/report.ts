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

export function evaluateTargets(results: Results): Target[] {
  const { emulator, b1, b2, b3, b4 } = results
  const targets: [
    string,
    string,
    number | null,
    string,
    (value: number | null) => boolean | null,
  ][] = [
    [
      'B1 app ÷ raw node:http (req/s)',
      '≥ 0.50',
      pick(b1, 'ratios', 'appToRaw'),
      '×',
      (v) => atLeast(v, 0.5),
    ],
    [
      'B1 app ÷ Express reference (req/s)',
      '≥ 5',
      pick(b1, 'ratios', 'appToExpress'),
      '×',
      (v) => atLeast(v, 5),
    ],
    [
      'B1 app ÷ raw, by CPU per request',
      '≥ 0.50',
      pick(b1, 'cpuRatios', 'appToRaw'),
      '×',
      (v) => atLeast(v, 0.5),
    ],
    [
      'B1 app ÷ Express, by CPU per request',
      '≥ 5',
      pick(b1, 'cpuRatios', 'appToExpress'),
      '×',
      (v) => atLeast(v, 5),
    ],
    ['B2 app CPU per sign-in', '≤ 3 ms', pick(b2, 'appCpuMsPerSignIn'), 'ms', (v) => atMost(v, 3)],
    [
      'B3 app overhead per send, p50',
      '≤ 1 ms',
      pick(b3, 'overheadMs', 'p50'),
      'ms',
      (v) => atMost(v, 1),
    ],
    [
      'B4 cold start to listening (median)',
      '≤ 300 ms',
      pick(b4, 'coldStartMs', 'median'),
      'ms',
      (v) => atMost(v, 300),
    ],
    [
      'B4 RSS, 100k sessions, SQLite',
      '≤ 150 MB',
      pick(b4, 'sqlite', 'rssMB'),
      'MB',
      (v) => atMost(v, 150),
    ],
    [
      'B4 RSS, 100k sessions, Redis',
      '≤ 150 MB',
      pick(b4, 'redis', 'rssMB'),
      'MB',
      (v) => atMost(v, 150),
    ],
    [
      'Emulator code redemptions/s',
      '≥ 500',
      pick(emulator, 'redemptions', 'perSecond'),
      '/s',
      (v) => atLeast(v, 500),
    ],
    [
      'Emulator sendMail/s',
      '≥ 3,000',
      pick(emulator, 'sendMail', 'perSecond'),
      '/s',
      (v) => atLeast(v, 3000),
    ],
  ]
  return targets.map(([id, goal, value, unit, check]) => ({
    id,
    goal,
    value,
    unit,
    pass: check(value),
  }))
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

/** The curated table: one row per figure a reader looks for. */
export function summaryRows(results: Results): string[][] {
  const rows: string[][] = []
  const add = (workload: string, measure: string, value: number | null, unit = '') => {
    if (value !== null)
      rows.push([workload, measure, `${round(value).toLocaleString('en-US')}${unit}`])
  }
  const { emulator, b1, b2, b3, b4 } = results
  for (const [key, label] of [
    ['redemptions', 'code redemptions'],
    ['sendMail', 'sendMail'],
  ] as const) {
    add('Emulator', `${label}/s`, pick(emulator, key, 'perSecond'), '/s')
    add(
      'Emulator',
      `${label} p50 / p99`,
      pick(emulator, key, 'latencyMs', 'p50'),
      ` / ${pick(emulator, key, 'latencyMs', 'p99')} ms`,
    )
  }
  const subjects = (b1?.subjects ?? {}) as Record<string, { label: string }>
  for (const [key, subject] of Object.entries(subjects)) {
    add('B1 GET /', `${subject.label} req/s`, pick(subjects, key, 'perSecond'), '/s')
    add(
      'B1 GET /',
      `${subject.label} p50 / p99`,
      pick(subjects, key, 'p50'),
      ` / ${pick(subjects, key, 'p99')} ms`,
    )
  }
  for (const [key, subject] of Object.entries(subjects)) {
    add(
      'B1 GET /',
      `${subject.label} CPU per request`,
      pick(subjects, key, 'cpuMsPerRequest'),
      ' ms',
    )
  }
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
  add('B2 sign-in', 'flows/s', pick(b2, 'flowsPerSecond'), '/s')
  add(
    'B2 sign-in',
    'flow p50 / p99',
    pick(b2, 'flowLatencyMs', 'p50'),
    ` / ${pick(b2, 'flowLatencyMs', 'p99')} ms`,
  )
  add('B2 sign-in', 'app CPU per sign-in', pick(b2, 'appCpuMsPerSignIn'), ' ms')
  add('B2 sign-in', 'emulator CPU per sign-in', pick(b2, 'emulatorCpuMsPerSignIn'), ' ms')
  add('B3 send', 'sends/s', pick(b3, 'sendsPerSecond'), '/s')
  add(
    'B3 send',
    'latency p50 / p99',
    pick(b3, 'latencyMs', 'p50'),
    ` / ${pick(b3, 'latencyMs', 'p99')} ms`,
  )
  add(
    'B3 send',
    'app overhead p50 / p99',
    pick(b3, 'overheadMs', 'p50'),
    ` / ${pick(b3, 'overheadMs', 'p99')} ms`,
  )
  add(
    'B3 send',
    'app CPU per send (50 at a time / one at a time)',
    pick(b3, 'appCpuMsPerSend'),
    ` / ${pick(b3, 'sequential', 'appCpuMsPerSend')} ms`,
  )
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
    add(
      'B4 memory',
      `${store}: same, before the prefill`,
      pick(b4, store, 'beforePrefill', 'perSecond'),
      `/s / ${pick(b4, store, 'beforePrefill', 'p99')} ms, RSS ${pick(b4, store, 'beforePrefill', 'rssMB')} MB`,
    )
  }
  return rows
}
