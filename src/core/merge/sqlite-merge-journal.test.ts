/**
 * The SQLite merge journal: the contract, its one-writer lock (named to a second writer), read-only openers, a control
 * handle cancelling beside the writer, a new writer taking over a killed one's rows, the sends log's pruning.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { DatabaseSync } from 'node:sqlite'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import { test } from 'node:test'
import { MergeError } from '../errors.ts'
import { EXCHANGE_LIMITS } from './merge-journal.ts'
import {
  childWorker,
  killHard,
  mergeJournalContract,
  newJob,
  rowsOf,
} from './merge-journal.contract.ts'
import { openSqliteMergeJournal } from './sqlite-merge-journal.ts'

mergeJournalContract('SQLite', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'merge-journal-'))
  const journal = openSqliteMergeJournal(join(folder, 'merge.db'))
  return {
    spec: join(folder, 'merge.db'),
    journal,
    another: async () => journal,
    async done() {
      await journal.close()
      rmSync(folder, { recursive: true, force: true })
    },
  }
})

/** A process of its own holding the journal open, until it is killed. */
async function holder(file: string) {
  const script = `
    import { openSqliteMergeJournal } from ${JSON.stringify(new URL('./sqlite-merge-journal.ts', import.meta.url).href)}
    const journal = openSqliteMergeJournal(${JSON.stringify(file)})
    await journal.createJob(${JSON.stringify(newJob('held'))}, (async function* () { yield { row: 1, data: {}, recipients: 1 } })())
    console.log('ready')
    setInterval(() => {}, 1000)`
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer]
  assert.equal(chunk.toString().trim(), 'ready')
  return child
}

test('SQLite: a second writer is refused, naming the holder; readers work alongside and after', async () => {
  const folder = join(mkdtempSync(join(tmpdir(), 'merge-journal-')), 'journals')
  const file = join(folder, 'merge.db')
  const child = await holder(file)
  try {
    assert.equal(statSync(folder).mode & 0o777, 0o700)
    assert.equal(statSync(file).mode & 0o777, 0o600)
    assert.throws(
      () => openSqliteMergeJournal(file),
      (error: unknown) =>
        error instanceof MergeError &&
        error.code === 'ERR_MERGE_BUSY' &&
        error.message.includes(`process ${child.pid}`) &&
        error.message.includes('use PostgreSQL (--journal postgres://…) to run several workers'),
    )
    const reader = openSqliteMergeJournal(file, { readOnly: true })
    assert.equal((await reader.job('held'))!.state, 'open')
    assert.equal((await reader.counts('held')).pending, 1)
    await assert.rejects(
      reader.claim('held', 'W', 1, 1000),
      (error: MergeError) => error.code === 'ERR_MERGE_INVALID',
    )
    await assert.rejects(reader.createJob(newJob('other'), rowsOf(1)), /read-only/)
    await reader.close()
  } finally {
    child.kill('SIGKILL')
    await once(child, 'exit')
  }
  const writer = openSqliteMergeJournal(file) // the lock died with its process
  assert.equal((await writer.claim('held', 'W', 5, 60_000)).length, 1)
  await writer.close()
  const reader = openSqliteMergeJournal(file, { readOnly: true })
  assert.equal((await reader.jobs()).length, 1)
  await reader.close()
  assert.throws(
    () => openSqliteMergeJournal(join(folder, 'absent.db'), { readOnly: true }),
    (error: MergeError) => error.code === 'ERR_MERGE_NOT_FOUND',
  )
  rmSync(join(folder, '..'), { recursive: true, force: true })
})

test('SQLite: a control handle cancels a job beside the running writer, and may change nothing else', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'merge-journal-'))
  const file = join(folder, 'merge.db')
  const child = await holder(file)
  try {
    const control = openSqliteMergeJournal(file, { control: true })
    try {
      await control.cancel('held')
      assert.equal((await control.job('held'))!.state, 'cancelled')
      assert.equal((await control.counts('held')).cancelled, 1)
      await assert.rejects(
        control.claim('held', 'W', 1, 1000),
        (error: MergeError) => error.code === 'ERR_MERGE_INVALID',
      )
      await assert.rejects(control.requeue('held', 'cancelled'), /read-only/)
    } finally {
      await control.close()
    }
    assert.equal(child.exitCode, null, 'the writer was not disturbed')
    assert.throws(
      () => openSqliteMergeJournal(file),
      (error: MergeError) => error.code === 'ERR_MERGE_BUSY',
      'its lock is still held',
    )
    assert.throws(
      () => openSqliteMergeJournal(join(folder, 'absent.db'), { control: true }),
      (error: MergeError) => error.code === 'ERR_MERGE_NOT_FOUND',
      'a control handle creates no journal',
    )
  } finally {
    child.kill('SIGKILL')
    await once(child, 'exit')
    rmSync(folder, { recursive: true, force: true })
  }
})

test('SQLite: a new writer takes over a killed one’s rows at once, in their states', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'merge-journal-'))
  const file = join(folder, 'merge.db')
  try {
    const first = openSqliteMergeJournal(file)
    await first.createJob(newJob('taken', { senders: ['t@contoso.com'] }), rowsOf(5))
    await first.close()
    const limits = { ...EXCHANGE_LIMITS, sendWindowMs: 60_000 }
    const { child } = await childWorker(file, { claim: { job: 'taken', worker: 'dead', limits } })
    await killHard(child)
    const journal = openSqliteMergeJournal(file)
    try {
      const rows = await journal.claim('taken', 'alive', 10, 60_000)
      assert.deepEqual(
        rows.map((row) => [row.row, row.state, row.draftId]),
        [
          [1, 'drafting', null],
          [2, 'sending', null],
          [3, 'drafted', 'draft-3'],
          [4, 'pending', null],
          [5, 'pending', null],
        ],
        'the dead worker’s rows come back although their 10-minute leases run',
      )
      assert.equal(rows[1]!.attempts, 1)
      assert.equal(await journal.update(rows[1]!, 'alive', { state: 'sent' }), true)
    } finally {
      await journal.close()
    }
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
})

test('SQLite: the sends log forgets what no window can count, on open', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'merge-journal-'))
  const file = join(folder, 'merge.db')
  try {
    const day = 86_400_000
    let journal = openSqliteMergeJournal(file)
    const long = { ...EXCHANGE_LIMITS, recipientWindowMs: 4 * day }
    await journal.createJob(
      newJob('long', { senders: ['long@contoso.com'], limits: long }),
      rowsOf(1),
    )
    await journal.close()
    const database = new DatabaseSync(file)
    const now = Date.now()
    const insert = database.prepare(
      'INSERT INTO merge_sends (mailbox, at, recipients) VALUES (?, ?, 1)',
    )
    for (const [mailbox, age] of [
      ['a@contoso.com', 3 * day], // older than two days, but a job's window is four
      ['a@contoso.com', 5 * day],
      ['b@contoso.com', day],
    ] as const)
      insert.run(mailbox, now - age)
    database.close()
    journal = openSqliteMergeJournal(file)
    await journal.close()
    const after = new DatabaseSync(file, { readOnly: true })
    const left = after.prepare('SELECT mailbox, at FROM merge_sends ORDER BY at').all()
    after.close()
    assert.deepEqual(
      left.map((entry) => Math.round((now - (entry.at as number)) / day)),
      [3, 1],
    )
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
})

test('SQLite: a pause Graph asked for outlives the writer that was told (a killed worker)', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'merge-journal-'))
  const file = join(folder, 'merge.db')
  try {
    let journal = openSqliteMergeJournal(file)
    await journal.createJob(newJob('paused', { senders: ['slow@contoso.com'] }), rowsOf(1))
    const until = Date.now() + 400
    await journal.pause('slow@contoso.com', until)
    await journal.close()
    journal = openSqliteMergeJournal(file) // the next writer, as after a kill
    const [row] = await journal.claim('paused', 'W2', 1, 60_000)
    const wait = await journal.startSend(row!, 'W2', EXCHANGE_LIMITS)
    assert.ok('waitMs' in wait && wait.reason === 'paused', JSON.stringify(wait))
    assert.ok(wait.waitMs > 0 && wait.waitMs <= 400, `waitMs ${wait.waitMs}`)
    await journal.close()
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
})
