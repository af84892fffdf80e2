/** Flags of `npm run bench` (node:util parseArgs) and the context handed to every workload. */
import { cpus } from 'node:os'
import { parseArgs } from 'node:util'

/** The Redis of the Redis runs: REDIS_URL, or the test suite's (TEST_REDIS_URL, for the smoke run), or the local one. */
export const benchRedisUrl =
  process.env.REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

export const WORKLOADS = ['emulator', 'b1', 'b2', 'b3', 'b4', 'b5', 'cli', 'merge'] as const
export type WorkloadName = (typeof WORKLOADS)[number]

export interface BenchOptions {
  duration: number
  warmup: number
  connections: number
  sessions: number
  starts: number
  /** B5: authorization-code redemptions before RSS is read. */
  tokenRequests: number
  /** Merge: rows of the largest RSS run (the smaller one has a tenth). */
  mergeRows: number
  /** B5: a built Entra Local (cmaneu/entra-local) to measure beside the emulator; undefined: the emulator alone. */
  entraLocal?: string
  /** B5: another checkout of this project whose emulator is measured too (an A/B in one run). */
  baseline?: string
  only: WorkloadName[]
  out: string
  plot: boolean
  profileDir?: string
  pin: boolean
  verbose: boolean
  /** Extra environment for the app process (experiments, e.g. LOG_LEVEL=warn); recorded in latest.json. */
  appEnv: Record<string, string>
}

export const USAGE = `npm run bench -- [options]
  --quick              ~1 s per measurement (smoke runs)
  --duration <s>       seconds of load per subject (default 10)
  --warmup <s>         seconds of discarded load before each measurement (default 2)
  --connections <n>    concurrent connections for every subject (default 50)
  --sessions <n>       stored sessions for B4 (default 100000)
  --starts <n>         cold starts for B4's and B5's medians (default 5)
  --token-requests <n> B5: code redemptions before RSS is read (default 22000; 2000 with --quick)
  --merge-rows <n>     merge: rows of the RSS runs (default 100000, a tenth beside it; 10000 with --quick)
  --entra-local <dir>  B5: a built Entra Local beside the emulator (default $ENTRA_LOCAL_DIR; none: alone)
  --baseline <dir>     B5: another checkout of this project, its emulator measured too (A/B in one run)
  --only <list>        some of: ${WORKLOADS.join(',')}
  --out <dir>          where latest.json and b1.png go (default bench/results)
  --no-plot            skip the PNG
  --profile            write .cpuprofile files of the app process into <out>/profiles
  --no-pin             do not pin the load generator and the subjects to separate cores
  --app-env KEY=VALUE  extra setting for the app process (repeatable), for experiments
  --verbose            show the subjects' stdout`

export function parseOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string', default: '50' },
      sessions: { type: 'string', default: '100000' },
      starts: { type: 'string', default: '5' },
      'token-requests': { type: 'string' },
      'merge-rows': { type: 'string' },
      'entra-local': { type: 'string' },
      baseline: { type: 'string' },
      only: { type: 'string', default: WORKLOADS.join(',') },
      out: { type: 'string', default: 'bench/results' },
      'no-plot': { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      'no-pin': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      'app-env': { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) return 'help'
  const only = values.only.split(',').map((name) => name.trim().toLowerCase())
  const unknown = only.filter((name) => !(WORKLOADS as readonly string[]).includes(name))
  if (unknown.length > 0)
    throw new Error(
      `--only: unknown workload ${unknown.join(', ')} (known: ${WORKLOADS.join(', ')})`,
    )
  const out = values.out
  return {
    duration: positive('--duration', values.duration ?? (values.quick ? '1' : '10')),
    warmup: positive('--warmup', values.warmup ?? (values.quick ? '0.5' : '2'), true),
    connections: positive('--connections', values.connections),
    sessions: positive('--sessions', values.sessions, true),
    starts: positive('--starts', values.starts),
    tokenRequests: positive(
      '--token-requests',
      values['token-requests'] ?? (values.quick ? '2000' : '22000'),
    ),
    mergeRows: positive(
      '--merge-rows',
      values['merge-rows'] ?? (values.quick ? '10000' : '100000'),
    ),
    entraLocal: values['entra-local'] ?? (process.env.ENTRA_LOCAL_DIR || undefined),
    baseline: values.baseline,
    only: only as WorkloadName[],
    out,
    plot: !values['no-plot'],
    profileDir: values.profile ? `${out}/profiles` : undefined,
    pin: !values['no-pin'] && cpus().length >= 2, // all cores, not this process's affinity
    verbose: values.verbose,
    appEnv: Object.fromEntries(
      values['app-env'].map((pair) => {
        const at = pair.indexOf('=')
        if (at < 1) throw new Error(`--app-env: expected KEY=VALUE, got "${pair}"`)
        return [pair.slice(0, at), pair.slice(at + 1)]
      }),
    ),
  }
}

function positive(flag: string, text: string, zeroAllowed = false): number {
  const value = Number(text)
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !zeroAllowed)) {
    throw new Error(`${flag}: expected a positive number, got "${text}"`)
  }
  return value
}

/** Core 0 runs the bench (load generator) and peers such as the emulator; core 1 runs the subject under test. */
export function cores(options: BenchOptions) {
  return options.pin
    ? { load: 0, subject: 1, peer: 0 }
    : { load: undefined, subject: undefined, peer: undefined }
}
