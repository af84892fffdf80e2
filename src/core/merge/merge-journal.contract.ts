/** `mergeJournalContract`: the MergeJournal contract as tests, run against each implementation by its own test file. */
import assert from 'node:assert/strict'
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

export interface JournalUnderTest {
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

    withJournal('pause() makes enter() and startSend() wait', async ({ journal }) => {
      await journal.createJob(newJob('pause', { senders: ['slow@contoso.com'] }), rowsOf(1))
      const [row] = await journal.claim('pause', 'W', 1, 60_000)
      const until = Date.now() + 300
      await journal.pause('slow@contoso.com', until)
      await journal.pause('slow@contoso.com', Date.now() + 10) // an earlier end never shortens a pause
      const wait = await journal.startSend(row!, 'W', GATE)
      assert.ok('waitMs' in wait && wait.reason === 'paused', JSON.stringify(wait))
      assert.ok(wait.waitMs > 100 && wait.waitMs <= 300, `waitMs ${wait.waitMs}`)
      await assert.rejects(
        journal.enter('slow@contoso.com', GATE, AbortSignal.timeout(100)),
        (error: Error) => error.name === 'TimeoutError',
      )
      const slot = await journal.enter('slow@contoso.com', GATE)
      assert.ok(Date.now() >= until - 20, 'entered only once the pause was over')
      slot.release()
      assert.deepEqual(await journal.startSend(row!, 'W', GATE), { ok: true })
    })
  })
}
