/**
 * A worker process for the PostgreSQL multi-process test: claims rows of one job, enters the mailbox's gate, records
 * the interval it held a slot (database clock) in gate_intervals, starts the send, and marks the row sent.
 * Arguments: <database url> <job> <worker> <limits as JSON>.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { openPostgresMergeJournal } from './postgres-merge-journal.ts'
import type { MailboxLimits, MergeRow } from './merge-journal.ts'

const [url, job, worker, limitsJson] = process.argv.slice(2) as [string, string, string, string]
const limits = JSON.parse(limitsJson) as MailboxLimits
const journal = await openPostgresMergeJournal(url)
const recorder = new pg.Pool({ connectionString: url, max: 3 })

async function send(row: MergeRow): Promise<void> {
  const slot = await journal.enter(row.mailbox, limits)
  try {
    const { rows } = await recorder.query(
      'INSERT INTO gate_intervals (worker, started_at) VALUES ($1, clock_timestamp()) RETURNING id',
      [worker],
    )
    for (;;) {
      const outcome = await journal.startSend(row, worker, limits)
      if ('ok' in outcome) break
      if ('held' in outcome) throw new Error(`${worker} lost row ${row.row}`)
      await sleep(outcome.waitMs)
    }
    await sleep(3 + Math.random() * 15) // the request
    await recorder.query('UPDATE gate_intervals SET ended_at = clock_timestamp() WHERE id = $1', [
      rows[0].id,
    ])
  } finally {
    slot.release()
  }
  if (!(await journal.update(row, worker, { state: 'sent' })))
    throw new Error(`${worker} lost row ${row.row}`)
}

for (;;) {
  const rows = await journal.claim(job, worker, 3, 60_000)
  if (rows.length === 0) break
  await Promise.all(rows.map(send))
}
await journal.close()
await recorder.end()
