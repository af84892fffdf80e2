/** The SQLite merge journal: the contract, its one-writer lock (named to a second writer), read-only openers, modes. */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import { test } from 'node:test'
import { MergeError } from '../errors.ts'
import { mergeJournalContract, newJob, rowsOf } from './merge-journal.contract.ts'
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
