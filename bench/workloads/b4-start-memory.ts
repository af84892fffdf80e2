/**
 * B4: cold start of `bin/graph-connect start` (what `npm start` runs) to a listening port (median of several starts), and the app's RSS and
 * B1 latency with 100,000 other signed-in sessions stored, in SQLite and in Redis.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { Redis } from 'ioredis'
import { startAppStack } from '../lib/app-stack.ts'
import { coldStart } from '../lib/cold-start.ts'
import { signInToApp } from '../lib/connect-app.ts'
import { measureSubject } from '../lib/measure.ts'
import { benchRedisUrl, type BenchOptions } from '../lib/options.ts'
import { median, round } from '../lib/stats.ts'

const run = promisify(execFile)

export async function b4StartAndMemory(options: BenchOptions) {
  const starts = await coldStarts(options)
  const sqlite = await withSessions(options, 'sqlite')
  const redis = await withSessions(options, 'redis')
  return { coldStartMs: starts, sqlite, redis }
}

async function coldStarts(options: BenchOptions) {
  const dataDir = mkdtempSync(join(tmpdir(), 'graph-connect-bench-start-'))
  try {
    // The first start on an empty data folder also creates the databases and the emulator's signing key.
    const first = await coldStart(options, dataDir)
    const samples: number[] = []
    for (let index = 0; index < options.starts; index++)
      samples.push(await coldStart(options, dataDir))
    return {
      median: round(median(samples)),
      samples: samples.map(round),
      firstOnEmptyDataDir: round(first),
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}

async function withSessions(options: BenchOptions, store: 'sqlite' | 'redis') {
  const dataDir = mkdtempSync(join(tmpdir(), `graph-connect-bench-b4-${store}-`))
  const redisPrefix = `graph-connect-bench-${process.pid}-${Date.now()}:`
  const stack = await startAppStack(options, {
    dataDir,
    store,
    redisPrefix,
    profile: `b4-${store}`,
  })
  try {
    const { cookie } = await signInToApp(stack.appUrl, stack.demo.users[0])
    const load = { url: `${stack.appUrl}/`, headers: { cookie } }
    // The same load before the prefill: on a shared machine, the change is what the sessions cost.
    const half = { ...options, duration: Math.max(1, options.duration / 2) }
    const empty = await measureSubject(half, stack.app, `app, ${store}, 1 session`, load)
    // The sessions are written while the app is stopped (a SQLite file has one process at a time; Redis is done the
    // same way so that both are measured alike), then a new app process starts on them.
    const env = stack.app.info.env
    let prefilled = { sessions: 0, recordsPerSession: 0 }
    let prefillSeconds = 0
    await stack.restartApp(async () => {
      const started = performance.now()
      prefilled = await prefill(env, cookie, options.sessions)
      prefillSeconds = (performance.now() - started) / 1000
    })
    const idle = await stack.app.usage()
    const measured = await measureSubject(
      options,
      stack.app,
      `app, ${store}, ${options.sessions} sessions`,
      load,
    )
    return {
      sessions: prefilled.sessions,
      recordsPerSession: prefilled.recordsPerSession,
      prefillSeconds: round(prefillSeconds),
      rssIdleMB: round(idle.rssBytes / 2 ** 20),
      rssMB: measured.rssMB,
      perSecond: measured.perSecond,
      p50: measured.p50,
      p99: measured.p99,
      cpuMsPerRequest: measured.cpuMsPerRequest,
      beforePrefill: {
        rssMB: empty.rssMB,
        perSecond: empty.perSecond,
        p99: empty.p99,
        cpuMsPerRequest: empty.cpuMsPerRequest,
      },
    }
  } finally {
    await stack.stop()
    rmSync(dataDir, { recursive: true, force: true })
    if (store === 'redis') await deleteKeys(redisPrefix)
  }
}

const PREFILL = fileURLToPath(new URL('../subjects/prefill.ts', import.meta.url))

async function prefill(
  env: unknown,
  cookie: string,
  count: number,
): Promise<{ sessions: number; recordsPerSession: number }> {
  const { stdout } = await run(
    process.execPath,
    [PREFILL, JSON.stringify(env), cookie, String(count)],
    { maxBuffer: 1 << 20 },
  )
  return JSON.parse(stdout) as { sessions: number; recordsPerSession: number }
}

/** Removes every key the run wrote under its own prefix. */
async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(benchRedisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 })
  try {
    await redis.connect()
    let cursor = '0'
    do {
      const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
      if (keys.length > 0) await redis.unlink(...keys)
      cursor = nextCursor
    } while (cursor !== '0')
  } finally {
    redis.disconnect()
  }
}
