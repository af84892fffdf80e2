/** `mergeJournalContract`: the MergeJournal contract as tests, run against each implementation by its own test file. */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { MergeError } from '../errors.ts'
import {
  EXCHANGE_LIMITS,
  type MailboxLimits,
  type MergeJournal,
  type NewJob,
  type RowInput,
} from './merge-journal.ts'
import { openMergeJournal } from './open-merge-journal.ts'

export interface JournalUnderTest {
  /** What openMergeJournal opens it by: the SQLite file, or the PostgreSQL URL. */
  spec: string
  journal: MergeJournal
  /** Another handle on the same journal: another pool for PostgreSQL, the same journal for SQLite's one process. */
  another(): Promise<MergeJournal>
  done(): Promise<void>
}

const GATE: MailboxLimits = {
  concurrent: 4,
  sendsPerWindow: 5,
  sendWindowMs: 300,
  recipientsPerWindow: 1000,
  recipientWindowMs: 300,
}

export function newJob(id: string, overrides: Partial<NewJob> = {}): NewJob {
  return {
    id,
    template: { subject: 'Hello {{name}}', body: 'Dear {{name}}', format: 'text', baseDir: '/tmp' },
    senders: ['a@contoso.com', 'b@contoso.com'],
    mode: 'draft',
    limits: EXCHANGE_LIMITS,
    connection: 'default',
    source: 'people.csv',
    ...overrides,
  }
}

export async function* rowsOf(
  count: number,
  recipients = 1,
  onRow?: (row: number) => Promise<void>,
): AsyncGenerator<RowInput> {
  for (let row = 1; row <= count; row++) {
    await onRow?.(row)
    yield { row, data: { name: `Person ${row}`, email: `p${row}@fabrikam.com` }, recipients }
  }
}

/** Every item of an async iterable (Array.fromAsync, which the project's TypeScript lib does not declare yet). */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = []
  for await (const item of items) all.push(item)
  return all
}

const isMergeError = (code: string, message?: RegExp) => (error: unknown) =>
  error instanceof MergeError && error.code === code && (!message || message.test(error.message))

/** A worker process of its own on the journal (merge-journal-child.fixture.ts), once it has done `command`. */
export async function childWorker(
  spec: string,
  command: object,
): Promise<{ child: ChildProcess; report: Record<string, unknown> }> {
  const fixture = new URL('./merge-journal-child.fixture.ts', import.meta.url).pathname
  const child = spawn(process.execPath, [fixture, spec, JSON.stringify(command)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const lines = createInterface({ input: child.stdout! })
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`the worker process ended (${code}) before it was ready`)
  })
  const [line] = (await Promise.race([once(lines, 'line'), exited])) as [string]
  return { child, report: JSON.parse(line) as Record<string, unknown> }
}

/** kill -9, and the process gone. */
export async function killHard(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit')
  child.kill('SIGKILL')
  await exited
}

/**
 * `work` again while it fails with ERR_MERGE_BUSY (a killed process's PostgreSQL session can outlive it a moment,
 * holding its locks), a few seconds at most.
 */
async function unlessBusy<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work()
    } catch (error) {
      if (!isMergeError('ERR_MERGE_BUSY')(error) || attempt === 100) throw error
      await sleep(50)
    }
  }
}

export function mergeJournalContract(name: string, open: () => Promise<JournalUnderTest>): void {
  /** Each test on a journal of its own. */
  const withJournal = (title: string, body: (under: JournalUnderTest) => Promise<void>) =>
    test(title, async () => {
      const under = await open()
      try {
        await body(under)
      } finally {
        await under.done()
      }
    })

  describe(`${name} merge journal`, () => {
    withJournal(
      'imports 10,000 streamed rows in batches, opening the job once all are in',
      async ({ journal }) => {
        let during: { state?: string; rows?: number } = {}
        const job = await journal.createJob(
          newJob('big'),
          rowsOf(10_000, 1, async (row) => {
            if (row === 5001) during = { ...(await journal.job('big')) }
          }),
        )
        assert.equal(during.state, 'importing')
        assert.ok(
          during.rows! >= 1000 && during.rows! < 10_000,
          `rows in mid-import: ${during.rows}`,
        )
        assert.equal(job.state, 'open')
        assert.equal(job.rows, 10_000)
        assert.equal(job.template.subject, 'Hello {{name}}')
        const counts = await journal.counts('big')
        assert.equal(counts.pending, 10_000)
        assert.equal(counts.sent + counts.sending + counts.failed, 0)
        assert.deepEqual(
          (await journal.jobs()).map((each) => each.id),
          ['big'],
        )
        await assert.rejects(
          journal.createJob(newJob('big'), rowsOf(1)),
          isMergeError(
            'ERR_MERGE_INVALID',
            /a merge named big exists: resume it or choose another name/i,
          ),
        )
      },
    )

    withJournal(
      'rows() streams every row in order, senders taking rows in turn',
      async ({ journal }) => {
        await journal.createJob(
          newJob('order', { senders: ['A@contoso.com', 'b@contoso.com', 'c@contoso.com'] }),
          rowsOf(1234),
        )
        let expected = 1
        for await (const row of journal.rows('order')) {
          assert.equal(row.row, expected)
          assert.equal(row.key, `order/${expected}`)
          assert.equal(
            row.mailbox,
            ['a@contoso.com', 'b@contoso.com', 'c@contoso.com'][(expected - 1) % 3],
          )
          assert.deepEqual(row.data, {
            name: `Person ${expected}`,
            email: `p${expected}@fabrikam.com`,
          })
          assert.equal(row.state, 'pending')
          expected++
        }
        assert.equal(expected, 1235)
      },
    )

    withJournal(
      'a failing source leaves no job behind; a row twice is refused',
      async ({ journal }) => {
        async function* failing() {
          yield* rowsOf(1500)
          throw new Error('the CSV ends in the middle of a quote')
        }
        await assert.rejects(journal.createJob(newJob('broken'), failing()), /middle of a quote/)
        assert.equal(await journal.job('broken'), undefined)
        async function* twice() {
          yield* rowsOf(3)
          yield { row: 2, data: {}, recipients: 1 }
        }
        await assert.rejects(
          journal.createJob(newJob('twice'), twice()),
          isMergeError('ERR_MERGE_INVALID', /Row 2 appears twice/),
        )
        await assert.rejects(
          journal.createJob(newJob('bad name!'), rowsOf(1)),
          isMergeError('ERR_MERGE_INVALID'),
        )
        await assert.rejects(journal.counts('nothing'), isMergeError('ERR_MERGE_NOT_FOUND'))
      },
    )

    withJournal(
      'concurrent claims never hand one row to two workers',
      async ({ journal, another }) => {
        await journal.createJob(newJob('claims'), rowsOf(2000))
        const handles = [journal, await another(), await another()]
        const taken = new Map<number, string>()
        await Promise.all(
          Array.from({ length: 12 }, async (_, index) => {
            const worker = `w${index}`
            for (;;) {
              const rows = await handles[index % handles.length]!.claim(
                'claims',
                worker,
                25,
                60_000,
              )
              if (rows.length === 0) return
              for (const row of rows) {
                assert.equal(taken.get(row.row), undefined, `row ${row.row} claimed twice`)
                taken.set(row.row, worker)
              }
            }
          }),
        )
        assert.equal(taken.size, 2000)
        assert.ok(new Set(taken.values()).size > 1)
      },
    )

    withJournal(
      'update is fenced once a lease is taken over; rows come back in their state',
      async ({ journal }) => {
        await journal.createJob(newJob('leases'), rowsOf(3))
        const [first] = await journal.claim('leases', 'A', 1, 50)
        assert.equal(
          await journal.update(first!, 'A', { state: 'drafted', draftId: 'draft-1' }),
          true,
        )
        await sleep(80)
        const taken = await journal.claim('leases', 'B', 1, 60_000)
        assert.equal(taken[0]!.row, 1)
        assert.equal(taken[0]!.state, 'drafted')
        assert.equal(taken[0]!.draftId, 'draft-1')
        assert.equal(await journal.update(first!, 'A', { state: 'sent' }), false)
        assert.equal(
          await journal.update(taken[0]!, 'B', { state: 'sent', internetMessageId: '<m1@x>' }),
          true,
        )
        const [row1] = await journal.claim('leases', 'C', 1, 100)
        assert.equal(row1!.row, 2, 'a sent row is never claimed again')
        await journal.renew('C', 60_000)
        await sleep(150)
        assert.equal(
          (await journal.claim('leases', 'D', 1, 60_000))[0]!.row,
          3,
          'a renewed lease holds',
        )
        await journal.release('C')
        assert.equal(
          (await journal.claim('leases', 'E', 5, 60_000))[0]!.row,
          2,
          'a released row is free',
        )
        const [sent] = await collect(journal.rows('leases'))
        assert.equal(sent!.internetMessageId, '<m1@x>')
        assert.equal(sent!.draftId, 'draft-1')
      },
    )

    withJournal('cancel, finish and requeue', async ({ journal }) => {
      await journal.createJob(newJob('cancel', { senders: ['c@contoso.com'] }), rowsOf(5))
      const rows = await journal.claim('cancel', 'W', 5, 60_000)
      assert.deepEqual(await journal.startSend(rows[0]!, 'W', GATE), { ok: true })
      assert.equal(await journal.update(rows[1]!, 'W', { state: 'drafted', draftId: 'd2' }), true)
      await journal.cancel('cancel')
      assert.equal((await journal.job('cancel'))!.state, 'cancelled')
      let counts = await journal.counts('cancel')
      assert.equal(counts.sending, 1)
      assert.equal(counts.cancelled, 4)
      assert.equal(
        await journal.update(rows[1]!, 'W', { state: 'drafting' }),
        false,
        'a cancelled row stays cancelled',
      )
      assert.deepEqual(await journal.startSend(rows[2]!, 'W', GATE), { held: false })
      assert.equal(await journal.finish('cancel'), false, 'a row being sent must finish first')
      assert.equal(await journal.update(rows[0]!, 'W', { state: 'sent' }), true)
      assert.equal(await journal.finish('cancel'), true)
      await assert.rejects(
        journal.requeue('cancel', 'sent'),
        isMergeError('ERR_MERGE_INVALID', /cannot be requeued/),
      )
      assert.equal(await journal.requeue('cancel', 'cancelled'), 4)
      assert.equal((await journal.job('cancel'))!.state, 'open')
      counts = await journal.counts('cancel')
      assert.equal(counts.pending, 4)
      assert.equal(counts.sent, 1)
      const again = await journal.claim('cancel', 'V', 10, 60_000)
      assert.deepEqual(
        again.map((row) => row.row),
        [2, 3, 4, 5],
      )
      for (const row of again)
        await journal.update(row, 'V', { state: 'failed', error: 'bad address' })
      assert.equal(await journal.finish('cancel'), true)
      assert.equal((await journal.job('cancel'))!.state, 'done')
    })

    withJournal(
      'enter() never lets more than `concurrent` requests in flight',
      async ({ journal, another }) => {
        const handles = [journal, await another()]
        let inFlight = 0
        let most = 0
        await Promise.all(
          Array.from({ length: 40 }, async (_, index) => {
            const slot = await handles[index % 2]!.enter('gate@contoso.com', GATE)
            most = Math.max(most, ++inFlight)
            await sleep(2 + (index % 7) * 3)
            inFlight--
            slot.release()
          }),
        )
        assert.ok(most <= GATE.concurrent, `${most} in flight`)
        assert.ok(most >= 2, 'requests ran side by side')
      },
    )

    withJournal('enter() honours an abort signal while it waits', async ({ journal }) => {
      const slots = await Promise.all(
        Array.from({ length: 4 }, () => journal.enter('abort@contoso.com', GATE)),
      )
      await assert.rejects(
        journal.enter('abort@contoso.com', GATE, AbortSignal.timeout(50)),
        (error: Error) => error.name === 'TimeoutError',
      )
      const waiting = journal.enter('abort@contoso.com', GATE)
      slots[0]!.release()
      ;(await waiting).release()
      for (const slot of slots.slice(1)) slot.release()
    })

    withJournal(
      'startSend refuses the 6th send in a window, counted across jobs',
      async ({ journal }) => {
        const senders = ['rate@contoso.com']
        await journal.createJob(newJob('rate1', { senders }), rowsOf(6))
        await journal.createJob(newJob('rate2', { senders }), rowsOf(1))
        const rows = await journal.claim('rate1', 'W', 6, 60_000)
        const [other] = await journal.claim('rate2', 'W', 1, 60_000)
        for (const row of rows.slice(0, 5))
          assert.deepEqual(await journal.startSend(row, 'W', GATE), { ok: true })
        assert.deepEqual(await journal.startSend(rows[0]!, 'X', GATE), { held: false })
        for (const row of [rows[5]!, other!]) {
          const wait = await journal.startSend(row, 'W', GATE)
          assert.ok('waitMs' in wait && wait.reason === 'rate', JSON.stringify(wait))
          assert.ok(wait.waitMs > 0 && wait.waitMs <= GATE.sendWindowMs, `waitMs ${wait.waitMs}`)
        }
        const counts = await journal.counts('rate1')
        assert.equal(counts.sending, 5)
        assert.equal(counts.pending, 1, 'a refused send marks nothing')
        const wait = (await journal.startSend(rows[5]!, 'W', GATE)) as { waitMs: number }
        await sleep(wait.waitMs + 5)
        assert.deepEqual(await journal.startSend(rows[5]!, 'W', GATE), { ok: true })
        const sent = (await collect(journal.rows('rate1')))[5]!
        assert.equal(sent.state, 'sending')
        assert.equal(sent.attempts, 1)
      },
    )

    withJournal('startSend keeps the recipient window', async ({ journal }) => {
      const limits = { ...GATE, sendsPerWindow: 100, recipientsPerWindow: 10 }
      await journal.createJob(newJob('recipients', { senders: ['many@contoso.com'] }), rowsOf(3, 4))
      const rows = await journal.claim('recipients', 'W', 3, 60_000)
      assert.deepEqual(await journal.startSend(rows[0]!, 'W', limits), { ok: true })
      assert.deepEqual(await journal.startSend(rows[1]!, 'W', limits), { ok: true })
      const wait = await journal.startSend(rows[2]!, 'W', limits)
      assert.ok('waitMs' in wait && wait.reason === 'recipients', JSON.stringify(wait))
      assert.ok(wait.waitMs > 0 && wait.waitMs <= limits.recipientWindowMs)
      await assert.rejects(
        journal.startSend({ ...rows[2]!, recipients: 11 }, 'W', limits),
        isMergeError('ERR_MERGE_INVALID', /split it/),
      )
    })

    withJournal(
      "pause() makes every worker's enter() and startSend() wait",
      async ({ journal, another }) => {
        await journal.createJob(newJob('pause', { senders: ['slow@contoso.com'] }), rowsOf(2))
        const [row, next] = await journal.claim('pause', 'W', 2, 60_000)
        const other = await another() // another worker: the pause must reach it too
        const until = Date.now() + 300
        await journal.pause('Slow@Contoso.com', until)
        await journal.pause('slow@contoso.com', Date.now() + 10) // an earlier end never shortens a pause
        for (const handle of [journal, other]) {
          const wait = await handle.startSend(row!, 'W', GATE)
          assert.ok('waitMs' in wait && wait.reason === 'paused', JSON.stringify(wait))
          assert.ok(wait.waitMs > 100 && wait.waitMs <= 300, `waitMs ${wait.waitMs}`)
        }
        await assert.rejects(
          other.enter('slow@contoso.com', GATE, AbortSignal.timeout(100)),
          (error: Error) => error.name === 'TimeoutError',
        )
        const slot = await other.enter('slow@contoso.com', GATE)
        assert.ok(Date.now() >= until - 20, 'entered only once the pause was over')
        slot.release()
        assert.deepEqual(await other.startSend(row!, 'W', GATE), { ok: true })
        assert.deepEqual(await journal.startSend(next!, 'W', GATE), { ok: true })
      },
    )

    withJournal(
      'every send attempt counts against the windows, resends included, across jobs',
      async ({ journal, another }) => {
        const limits = {
          ...GATE,
          sendsPerWindow: 3,
          sendWindowMs: 60_000,
          recipientWindowMs: 60_000,
        }
        const senders = ['again@contoso.com']
        await journal.createJob(newJob('again1', { senders }), rowsOf(2))
        await journal.createJob(newJob('again2', { senders }), rowsOf(1))
        const [first, second] = await journal.claim('again1', 'W', 2, 60_000)
        const [other] = await journal.claim('again2', 'W', 1, 60_000)
        assert.deepEqual(await journal.startSend(first!, 'W', limits), { ok: true })
        // A 429: the row goes back to drafted and is sent again later.
        assert.equal(await journal.update(first!, 'W', { state: 'drafted', draftId: 'd1' }), true)
        assert.deepEqual(await journal.startSend(first!, 'W', limits), { ok: true })
        // An ambiguous send reconciled as unsent (its draft still there): sent again.
        assert.equal(await journal.update(first!, 'W', { state: 'drafted' }), true)
        assert.deepEqual(await journal.startSend(first!, 'W', limits), { ok: true })
        const handle = await another()
        for (const row of [second!, other!]) {
          const wait = await handle.startSend(row, 'W', limits)
          assert.ok('waitMs' in wait && wait.reason === 'rate', JSON.stringify(wait))
        }
        const [sent] = await collect(journal.rows('again1'))
        assert.equal(sent!.attempts, 3)

        const wide = { ...limits, sendsPerWindow: 100, recipientsPerWindow: 10 }
        await journal.createJob(newJob('fan', { senders: ['fan@contoso.com'] }), rowsOf(2, 4))
        const [once, twice] = await journal.claim('fan', 'W', 2, 60_000)
        assert.deepEqual(await journal.startSend(once!, 'W', wide), { ok: true })
        assert.equal(await journal.update(once!, 'W', { state: 'pending' }), true) // direct mode's 429
        assert.deepEqual(await journal.startSend(once!, 'W', wide), { ok: true }) // 8 recipients counted
        const wait = await handle.startSend(twice!, 'W', wide)
        assert.ok('waitMs' in wait && wait.reason === 'recipients', JSON.stringify(wait))
      },
    )

    withJournal(
      'the slots of a worker killed with SIGKILL count until they expire',
      async (under) => {
        const limits = { ...GATE, concurrent: 3 }
        const mailbox = 'killed@contoso.com'
        await under.journal.close() // SQLite: the worker process must be the writer
        const { child, report } = await childWorker(under.spec, {
          slots: { mailbox, count: 2, limits, slotLeaseMs: 2_000 },
        })
        await killHard(child)
        const expiresAt = report.expiresAt as number
        const journal = await openMergeJournal(under.spec)
        try {
          const first = await journal.enter('Killed@contoso.com', limits, AbortSignal.timeout(500))
          await assert.rejects(
            journal.enter(mailbox, limits, AbortSignal.timeout(200)),
            (error: Error) => error.name === 'TimeoutError',
            'only concurrent - 2 slots while the dead ones count',
          )
          assert.ok(
            Date.now() < expiresAt,
            'the dead slots had not expired yet: the test proved it',
          )
          const elsewhere = await Promise.all(
            [1, 2, 3].map(() =>
              journal.enter('alive@contoso.com', limits, AbortSignal.timeout(500)),
            ),
          )
          const rest = await Promise.all([
            journal.enter(mailbox, limits, AbortSignal.timeout(10_000)),
            journal.enter(mailbox, limits, AbortSignal.timeout(10_000)),
          ])
          assert.ok(Date.now() >= expiresAt - 5, 'the dead slots counted until they expired')
          for (const slot of [first, ...rest, ...elsewhere]) slot.release()
        } finally {
          await journal.close()
        }
      },
    )

    withJournal(
      'an import cut by kill -9 is finished by the same job, refused with other settings',
      async (under) => {
        await under.journal.close() // SQLite: the worker process must be the writer
        const job = newJob('cut', { senders: ['cut@contoso.com'] })
        const { child } = await childWorker(under.spec, {
          import: { job, rows: 3000, stopAfter: 2500 },
        })
        await killHard(child)
        const journal = await openMergeJournal(under.spec)
        try {
          const cut = await journal.job('cut')
          assert.equal(cut!.state, 'importing')
          assert.equal(cut!.rows, 2000, 'two batches were in')
          await assert.rejects(
            unlessBusy(() =>
              journal.createJob({ ...job, mode: 'direct', source: 'other.csv' }, rowsOf(3000)),
            ),
            isMergeError(
              'ERR_MERGE_INVALID',
              /merge named cut exists, its import interrupted, with other settings \(mode, source\).*same ones/,
            ),
          )
          const reordered = { ...job, limits: { ...EXCHANGE_LIMITS } }
          reordered.limits = Object.fromEntries(
            Object.entries(reordered.limits).reverse(),
          ) as unknown as MailboxLimits
          const finished = await unlessBusy(() => journal.createJob(reordered, rowsOf(3000)))
          assert.equal(finished.state, 'open')
          assert.equal(finished.rows, 3000)
          assert.equal((await journal.counts('cut')).pending, 3000)
          const rows = await collect(journal.rows('cut'))
          assert.deepEqual(
            rows.map((row) => row.row),
            Array.from({ length: 3000 }, (_, index) => index + 1),
          )
          assert.deepEqual(rows[0]!.data, { name: 'Person 1' }, 'a row already in is kept')
          assert.equal(rows[2999]!.data.email, 'p3000@fabrikam.com')
          await assert.rejects(
            journal.createJob(job, rowsOf(1)),
            isMergeError('ERR_MERGE_INVALID', /A merge named cut exists: resume it/),
          )
        } finally {
          await journal.close()
        }
      },
    )
  })
}
