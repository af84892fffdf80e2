/**
 * Issue 15's proof. A merge of 500 rows over 3 sender mailboxes on the emulator with Exchange's limits on (scaled so
 * a minute lasts a second), a fifth of the merge's requests faulted — every kind: 429, 503, resets, and the
 * ambiguous ones that deliver and then lose the answer (504, 202 with Retry-After, a reset, an answer after the
 * client's timeout) — and workers killed with SIGKILL at random instants, then resumed. Afterwards: every row sent
 * exactly once or reported unknown (never twice, never lost), read from the senders' Sent Items by each row's key;
 * and, read from the emulator's journal, never more than 4 requests in flight per mailbox nor more than 30 sends in
 * any window of a second. Once on the embedded SQLite journal (one worker at a time), once with three workers
 * sharing PostgreSQL.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { JournalEntry } from '../../src/emulator/index.ts'
import { cliEnv, runCli, startCli, type RunningCli } from '../kit/cli-process.ts'
import { scratchDir } from '../kit/scratch-dir.ts'
import { startSystem, type System } from '../kit/system.ts'
import { freshDatabase } from '../kit/test-database.ts'

const ROWS = 500
const SENDERS = ['adele@contoso.test', 'lea@contoso.test', 'megan@contoso.test']
const LIMITS = { concurrent: 4, sends: 30, windowMs: 1_000 }

/** Time scaled for a test: a short Graph timeout, quick settle checks and leases. */
const WORKER_ENV = {
  GRAPH_TIMEOUT_MS: '800',
  MERGE_SETTLE_MS: '150',
  MERGE_SETTLE_CHECKS: '3',
  MERGE_LEASE_MS: '2500',
  MERGE_ABANDONED_HOLD_MS: '1000',
  MERGE_POLL_MS: '100',
}

const SEND = '^/v1\\.0/users/[^/]+/messages/[^/]+/send$'
const CREATE = '^/v1\\.0/users/[^/]+/messages$'
const LOOKUP = '^/v1\\.0/users/[^/]+/messages$'

/** Every kind of fault, on sends, draft creations and lookups: more than one request in five. */
const FAULTS = [
  { match: { method: 'POST', path: SEND }, probability: 0.067, action: { deliverThen: 504 } },
  {
    match: { method: 'POST', path: SEND },
    probability: 0.05,
    action: { deliverThen: 202, retryAfter: 1 },
  },
  { match: { method: 'POST', path: SEND }, probability: 0.05, action: { deliverThen: 'reset' } },
  { match: { method: 'POST', path: SEND }, probability: 0.034, action: { answerDelayMs: 1_500 } },
  { match: { method: 'POST', path: SEND }, probability: 0.05, action: { status: 503 } },
  {
    match: { method: 'POST', path: SEND },
    probability: 0.05,
    action: { status: 429, retryAfter: 1 },
  },
  { match: { method: 'POST', path: SEND }, probability: 0.034, action: { reset: true } },
  { match: { method: 'POST', path: CREATE }, probability: 0.084, action: { status: 503 } },
  { match: { method: 'POST', path: CREATE }, probability: 0.084, action: { deliverThen: 504 } },
  { match: { method: 'POST', path: CREATE }, probability: 0.067, action: { deliverThen: 'reset' } },
  {
    match: { method: 'POST', path: CREATE },
    probability: 0.05,
    action: { status: 429, retryAfter: 1 },
  },
  { match: { method: 'GET', path: LOOKUP }, probability: 0.168, action: { status: 503 } },
] as const

describe(
  'merge: exactly once under faults and SIGKILL, within the limits',
  { timeout: 800_000 },
  () => {
    let system: System
    const scratch = scratchDir('gc-merge-proof')
    before(async () => {
      system = await startSystem({
        emulator: {
          throttling: {
            concurrent: LIMITS.concurrent,
            sendsPerMinute: LIMITS.sends,
            sendWindowSeconds: LIMITS.windowMs / 1000,
            requestsPer10Min: 1_000_000,
          },
          journalBytes: 1024 * 1024 * 1024,
        },
      })
      const { demo } = system.emulator
      await system.client.grantConsent({
        clientId: demo.clientId,
        admin: true,
        roles: ['Mail.ReadWrite'],
      })
    })
    after(async () => {
      await system.close()
      scratch.remove()
    })

    /** A fresh CLI home signed in app-only, the rows file and the template; the faults scripted (seeded). */
    async function prepare(label: string, seed: number) {
      const home = join(scratch.dir, label)
      const env = cliEnv(home, { EMULATOR_URL: system.emulator.url, ...WORKER_ENV })
      const login = await runCli(['login', '--secret', '-'], {
        env,
        input: `${system.emulator.demo.clientSecret}\n`,
      })
      assert.equal(login.code, 0, login.stderr)
      const rows = join(scratch.dir, `${label}.csv`)
      const lines = ['to,first_name,id']
      for (let row = 1; row <= ROWS; row++)
        lines.push(`r${row}@fabrikam.example,Reader ${row},${label}-${row}`)
      writeFileSync(rows, `${lines.join('\n')}\n`)
      const body = join(scratch.dir, `${label}.md`)
      writeFileSync(body, 'Hello **{{first_name}}**,\n\nyour reference is {{id}}.\n')
      await system.client.clearFaults()
      for (const [index, fault] of FAULTS.entries())
        await system.client.addFault({ ...fault, count: 1_000_000, seed: seed + index } as never)
      const start = [
        'merge',
        rows,
        '--name',
        label,
        '--subject',
        'Reference {{id}}',
        '--body-file',
        body,
        '--from',
        SENDERS.join(','),
        '--mode',
        'draft',
        '--concurrent',
        String(LIMITS.concurrent),
        '--sends',
        `${LIMITS.sends}/${LIMITS.windowMs}ms`,
      ]
      return { env, start, since: await system.client.mark() }
    }

    /** Runs workers until the job is done, killing `kills` of them with SIGKILL at random instants. */
    async function runWithKills(
      env: Record<string, string>,
      start: string[],
      label: string,
      workers: number,
      kills: number,
    ) {
      const first = startCli(start, { env })
      await first.waitForStderr(/rows from/)
      const running = new Set<RunningCli>([first])
      const spawn = () => {
        const worker = startCli(['merge', 'resume', label], { env })
        running.add(worker)
      }
      for (let extra = 1; extra < workers; extra++) spawn()
      let killed = 0
      const deadline = Date.now() + 330_000
      for (;;) {
        assert.ok(Date.now() < deadline, 'the merge did not finish in 5½ minutes')
        for (const worker of running)
          if (worker.child.exitCode !== null || worker.child.signalCode !== null)
            running.delete(worker)
        const status = JSON.parse(
          (await runCli(['merge', 'status', label, '-o', 'json'], { env })).stdout,
        ) as { state: string }
        if (status.state === 'done') break
        if (killed < kills && running.size && Math.random() < 0.25) {
          const victim = [...running][Math.floor(Math.random() * running.size)]!
          victim.child.kill('SIGKILL')
          await victim.exited
          running.delete(victim)
          killed++
        }
        while (running.size < workers) spawn()
        await sleep(300 + Math.random() * 700)
      }
      const results = await Promise.all([...running].map((worker) => worker.exited))
      for (const result of results) assert.ok([0, 5].includes(result.code ?? -1), result.stderr)
      return killed
    }

    /** Rows by state from the report, and each row's Sent Items copies (by the key the merge tags them with). */
    async function outcome(env: Record<string, string>, label: string) {
      const report = await runCli(['merge', 'report', label], { env })
      assert.equal(report.code, 0, report.stderr)
      const lines = report.stdout.trim().split(/\r?\n/).slice(1)
      assert.equal(lines.length, ROWS)
      const states = new Map<number, string>()
      for (const line of lines) {
        const [row, , , state] = line.split(',')
        states.set(Number(row), state!)
      }
      const copies = new Map<number, number>()
      for (const sender of SENDERS)
        for (const message of await system.client.messages(sender, { folder: 'sentitems' })) {
          const key = message.singleValueExtendedProperties.find((property) =>
            property.id.endsWith('Name GraphConnectMergeKey'),
          )?.value
          if (!key?.startsWith(`${label}/`)) continue
          const row = Number(key.slice(label.length + 1))
          copies.set(row, (copies.get(row) ?? 0) + 1)
        }
      return { states, copies }
    }

    function assertExactlyOnce(states: Map<number, string>, copies: Map<number, number>) {
      const duplicates = [...copies].filter(([, count]) => count > 1)
      assert.deepEqual(duplicates, [], 'rows sent more than once')
      for (let row = 1; row <= ROWS; row++) {
        const state = states.get(row)
        const sent = copies.get(row) ?? 0
        if (state === 'sent') assert.equal(sent, 1, `row ${row} is "sent" but has ${sent} copies`)
        else assert.equal(state, 'unknown', `row ${row} ended ${state}: neither sent nor reported`)
      }
      const unknown = [...states.values()].filter((state) => state === 'unknown').length
      assert.ok(
        unknown <= ROWS * 0.02,
        `${unknown} rows unknown: reconciliation should settle almost all`,
      )
    }

    /** Per mailbox, the most requests in flight at once and the most sends in any window, from the emulator's journal. */
    async function assertWithinLimits(since: number, diagnostic: (line: string) => void) {
      const entries = (await system.client.journal({ since })).filter(
        (entry) => entry.mailbox && /^\/v1\.0\/users\//.test(entry.path),
      )
      const faults = Map.groupBy(
        entries.filter((entry) => entry.fault),
        (entry) => entry.fault!.replace(/ \(.*$/, '').replace(/\d+ms/, 'N ms'),
      )
      const faulted = [...faults.values()].flat().length
      diagnostic(`${entries.length} requests, ${faulted} faulted`)
      assert.ok(
        faulted >= entries.length * 0.2,
        `only ${faulted} of ${entries.length} requests faulted`,
      )
      diagnostic([...faults].map(([kind, list]) => `${kind}: ${list.length}`).join('; '))
      for (const kind of [
        'deliverThen 504',
        'deliverThen 202',
        'deliverThen reset',
        'status 503',
        'status 429',
      ])
        assert.ok(faults.has(kind), `no "${kind}" fault happened`)
      const byMailbox = Map.groupBy(entries, (entry) => entry.mailbox!)
      assert.equal(byMailbox.size, SENDERS.length)
      for (const [mailbox, calls] of byMailbox) {
        assert.ok(
          peakInFlight(calls) <= LIMITS.concurrent,
          `${mailbox}: ${peakInFlight(calls)} in flight`,
        )
        const sends = calls
          .filter((call) => /\/send$/.test(call.path) && !/^(status|reset)/.test(call.fault ?? ''))
          .map((call) => Date.parse(call.time))
          .sort((a, b) => a - b)
        assert.ok(
          peakInWindow(sends, LIMITS.windowMs) <= LIMITS.sends,
          `${mailbox}: ${peakInWindow(sends, LIMITS.windowMs)} sends within ${LIMITS.windowMs} ms`,
        )
        const refused = calls.filter((call) => call.status === 429 && !call.fault)
        assert.deepEqual(
          refused.map((call) => call.path),
          [],
          `${mailbox}: the emulator throttled the merge`,
        )
      }
    }

    // Each run sends 500 rows at a scaled 90 a second through a fifth of faults and 4 restarts: about a minute, more
    // on a loaded machine; the suite's 2 minutes per test would be too tight.
    test(
      'the embedded SQLite journal: one worker at a time, killed and resumed',
      { timeout: 360_000 },
      async (t) => {
        const { env, start, since } = await prepare('sqlite', 1_000)
        env.GRAPH_CONNECT_MERGE_JOURNAL = join(scratch.dir, 'sqlite-journal', 'merges.sqlite')
        const killed = await runWithKills(env, start, 'sqlite', 1, 4)
        assert.ok(killed >= 1, 'no worker was killed')
        const { states, copies } = await outcome(env, 'sqlite')
        t.diagnostic(`${killed} workers killed; rows: ${summary(states)}`)
        assertExactlyOnce(states, copies)
        await assertWithinLimits(since, (line) => t.diagnostic(line))
      },
    )

    test(
      'three workers sharing PostgreSQL, killed and resumed',
      { timeout: 360_000 },
      async (t) => {
        const database = await freshDatabase()
        t.after(() => database.drop())
        const { env, start, since } = await prepare('postgres', 2_000)
        env.GRAPH_CONNECT_MERGE_JOURNAL = database.url
        const killed = await runWithKills(env, start, 'postgres', 3, 4)
        assert.ok(killed >= 1, 'no worker was killed')
        const { states, copies } = await outcome(env, 'postgres')
        t.diagnostic(`${killed} workers killed; rows: ${summary(states)}`)
        assertExactlyOnce(states, copies)
        await assertWithinLimits(since, (line) => t.diagnostic(line))
      },
    )
  },
)

const summary = (states: Map<number, string>) =>
  [...Map.groupBy(states.values(), (state) => state)]
    .map(([state, list]) => `${state} ${list.length}`)
    .join(', ')

/** The most intervals [arrival, arrival + duration] overlapping at one instant. */
function peakInFlight(calls: readonly JournalEntry[]): number {
  const edges = calls.flatMap((call) => {
    const start = Date.parse(call.time)
    return [
      { at: start, step: 1 },
      { at: start + (call.durationMs ?? 0), step: -1 },
    ]
  })
  edges.sort((a, b) => a.at - b.at || a.step - b.step)
  let now = 0
  let peak = 0
  for (const edge of edges) peak = Math.max(peak, (now += edge.step))
  return peak
}

/** The most timestamps within any window of `windowMs` (sorted input). */
function peakInWindow(times: readonly number[], windowMs: number): number {
  let peak = 0
  for (let first = 0, last = 0; last < times.length; last++) {
    while (times[last]! - times[first]! >= windowMs) first++
    peak = Math.max(peak, last - first + 1)
  }
  return peak
}
