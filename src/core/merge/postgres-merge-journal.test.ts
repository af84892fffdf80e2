/**
 * The PostgreSQL merge journal: the contract, read-only openers, slots of dead workers, three worker processes
 * sharing one job and one mailbox within its limits, the sends log's pruning.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { test } from 'node:test'
import pg from 'pg'
import { freshDatabase } from '../../../test/kit/test-database.ts'
import type { MergeError } from '../errors.ts'
import { EXCHANGE_LIMITS, type MailboxLimits, type MergeJournal } from './merge-journal.ts'
import { collect, mergeJournalContract, newJob, rowsOf } from './merge-journal.contract.ts'
import { openPostgresMergeJournal } from './postgres-merge-journal.ts'

mergeJournalContract('PostgreSQL', async () => {
  const database = await freshDatabase()
  const journal = await openPostgresMergeJournal(database.url)
  const others: MergeJournal[] = []
  return {
    spec: database.url,
    journal,
    async another() {
      const other = await openPostgresMergeJournal(database.url)
      others.push(other)
      return other
    },
    async done() {
      for (const each of [journal, ...others]) await each.close()
      await database.drop()
    },
  }
})

test('PostgreSQL: read-only openers read and change nothing', async () => {
  const database = await freshDatabase()
  try {
    await assert.rejects(
      openPostgresMergeJournal(database.url, { readOnly: true }),
      (error: MergeError) => error.code === 'ERR_MERGE_NOT_FOUND',
    )
    const writer = await openPostgresMergeJournal(database.url)
    await writer.createJob(newJob('watched'), rowsOf(10))
    const reader = await openPostgresMergeJournal(database.url, { readOnly: true })
    assert.equal((await reader.counts('watched')).pending, 10)
    assert.equal((await collect(reader.rows('watched'))).length, 10)
    await assert.rejects(reader.claim('watched', 'W', 1, 1000), /read-only/)
    await reader.close()
    await writer.close()
  } finally {
    await database.drop()
  }
})

test('PostgreSQL: an unreachable database is named, without its password', async () => {
  await assert.rejects(
    openPostgresMergeJournal('postgres://merge:secret@127.0.0.1:1/nowhere'),
    (error: MergeError) =>
      error.code === 'ERR_MERGE_JOURNAL' &&
      error.message.includes('127.0.0.1:1/nowhere') &&
      !error.message.includes('secret'),
  )
})

test('PostgreSQL: the slots of a worker that died free themselves', async () => {
  const database = await freshDatabase()
  const limits = {
    concurrent: 2,
    sendsPerWindow: 5,
    sendWindowMs: 300,
    recipientsPerWindow: 99,
    recipientWindowMs: 300,
  }
  const dead = await openPostgresMergeJournal(database.url, { slotLeaseMs: 300 })
  const alive = await openPostgresMergeJournal(database.url, { slotLeaseMs: 300 })
  try {
    await dead.enter('lost@contoso.com', limits)
    await dead.enter('lost@contoso.com', limits) // never released: the worker "dies"
    await assert.rejects(
      alive.enter('lost@contoso.com', limits, AbortSignal.timeout(100)),
      (error: Error) => error.name === 'TimeoutError',
    )
    ;(await alive.enter('lost@contoso.com', limits)).release()
  } finally {
    await dead.close()
    await alive.close()
    await database.drop()
  }
})

test('PostgreSQL: three worker processes share one job and one mailbox within its limits', async () => {
  const database = await freshDatabase()
  const limits: MailboxLimits = {
    concurrent: 3,
    sendsPerWindow: 5,
    sendWindowMs: 300,
    recipientsPerWindow: 1000,
    recipientWindowMs: 300,
  }
  const journal = await openPostgresMergeJournal(database.url)
  const client = new pg.Client(database.url)
  await client.connect()
  try {
    await client.query(
      'CREATE TABLE gate_intervals (id serial PRIMARY KEY, worker text, started_at timestamptz, ended_at timestamptz)',
    )
    await journal.createJob(newJob('shared', { senders: ['one@contoso.com'], limits }), rowsOf(45))
    const fixture = new URL('./postgres-gate-worker.fixture.ts', import.meta.url).pathname
    const workers = ['p1', 'p2', 'p3'].map((worker) =>
      spawn(process.execPath, [fixture, database.url, 'shared', worker, JSON.stringify(limits)], {
        stdio: ['ignore', 'inherit', 'inherit'],
      }),
    )
    const codes = await Promise.all(workers.map(async (child) => (await once(child, 'exit'))[0]))
    assert.deepEqual(codes, [0, 0, 0])

    const rows = await collect(journal.rows('shared'))
    assert.equal(rows.length, 45)
    assert.ok(
      rows.every((row) => row.state === 'sent' && row.attempts === 1),
      'every row sent once',
    )
    const { rows: owners } = await client.query(`SELECT DISTINCT owner FROM merge_rows`)
    assert.ok(owners.length >= 2, 'the job was shared')

    const { rows: intervals } = await client.query(
      `SELECT extract(epoch FROM started_at) * 1e6 AS s, extract(epoch FROM ended_at) * 1e6 AS e FROM gate_intervals`,
    )
    assert.equal(intervals.length, 45)
    const events = intervals
      .flatMap(({ s, e }) => [
        [Number(s), 1],
        [Number(e), -1],
      ])
      .sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!)
    let open = 0
    let most = 0
    for (const [, step] of events) most = Math.max(most, (open += step!))
    assert.ok(most <= limits.concurrent, `${most} requests in flight at once`)

    const { rows: sends } = await client.query(
      `SELECT extract(epoch FROM send_started_at) * 1e6 AS t FROM merge_rows ORDER BY send_started_at`,
    )
    const times = sends.map(({ t }) => Number(t))
    for (let i = 0; i < times.length; i++) {
      const inWindow = times.filter(
        (t) => t >= times[i]! && t < times[i]! + limits.sendWindowMs * 1000,
      ).length
      assert.ok(inWindow <= limits.sendsPerWindow, `${inWindow} sends in the window from send ${i}`)
    }
  } finally {
    await client.end()
    await journal.close()
    await database.drop()
  }
})

test('PostgreSQL: the sends log forgets what no window can count, when a writer opens', async () => {
  const database = await freshDatabase()
  const client = new pg.Client(database.url)
  await client.connect()
  try {
    const day = 86_400_000
    const first = await openPostgresMergeJournal(database.url)
    const long = { ...EXCHANGE_LIMITS, recipientWindowMs: 4 * day }
    await first.createJob(
      newJob('long', { senders: ['long@contoso.com'], limits: long }),
      rowsOf(1),
    )
    await first.close()
    await client.query(
      `INSERT INTO merge_sends (mailbox, at, recipients)
       SELECT 'a@contoso.com', clock_timestamp() - age * interval '1 day', 1
       FROM unnest(ARRAY[3, 5, 1]) AS age`, // 3 days: older than two, but a job's window is four
    )
    await (await openPostgresMergeJournal(database.url)).close()
    const { rows } = await client.query(
      `SELECT round(extract(epoch FROM clock_timestamp() - at) / 86400)::int AS days
       FROM merge_sends ORDER BY at`,
    )
    assert.deepEqual(
      rows.map((row) => row.days),
      [3, 1],
    )
  } finally {
    await client.end()
    await database.drop()
  }
})
