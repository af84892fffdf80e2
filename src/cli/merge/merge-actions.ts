/**
 * `mergeAction`: `merge status | resume | cancel | report` on the jobs of a journal. Status and report only read (a
 * running merge is not disturbed); resume runs this process as a worker of the job (another one, on PostgreSQL).
 */
import { createWriteStream } from 'node:fs'
import { once } from 'node:events'
import {
  MergeError,
  ROW_STATES,
  deleteCancelledDrafts,
  type MergeJob,
  type MergeJournal,
} from '../../core/index.ts'
import { reportFailure, say } from '../cli-failure.ts'
import { openCliSession } from '../cli-session.ts'
import { EXIT, type OptionValues } from '../command.ts'
import type { CliSettings } from '../cli-settings.ts'
import { settingsOrExit, usageProblem } from '../common-options.ts'
import { formatTable, outputFormat } from '../output.ts'
import { mergeProgress } from './merge-progress.ts'
import { graphOf, runMergeJob } from './merge-run.ts'
import { openJournal } from './open-journal.ts'

export async function mergeAction(
  action: 'status' | 'resume' | 'cancel' | 'report',
  name: string | undefined,
  values: OptionValues,
): Promise<number> {
  if (!name && action !== 'status')
    return usageProblem(
      'merge',
      `${action} needs the job's name: graph-connect merge ${action} <job>.`,
    )
  const format = outputFormat(values)
  if (typeof format !== 'string') return usageProblem('merge', format.problem)
  const settings = settingsOrExit()
  if (typeof settings === 'number') return settings
  const readOnly = action === 'status' || action === 'report'
  let journal: MergeJournal | undefined
  try {
    // Cancel is meant for a merge that runs: it must not wait for (or be refused by) the worker's hold on the journal.
    journal = await openJournal(values, settings, { readOnly, control: action === 'cancel' })
    if (action === 'status' && !name) return await listJobs(journal, format)
    const job = await journal.job(name!)
    if (!job) throw notFound(name!, await journal.jobs())
    switch (action) {
      case 'status':
        return await showStatus(journal, job, format, Boolean(values.watch))
      case 'report':
        return await writeReport(journal, job, values.out as string | undefined)
      case 'cancel':
        await journal.cancel(job.id)
        say(`merge "${job.id}" cancelled: rows not yet sent will not be; rows being sent finish.`)
        await deleteDrafts(job, values, settings)
        return EXIT.ok
      case 'resume': {
        if (values['resend-unknown']) {
          const count = await journal.requeue(job.id, 'unknown')
          say(`${count} unknown row(s) will be sent again.`)
        }
        const session = await openCliSession(settings, job.connection)
        try {
          return await runMergeJob(job, journal, session, settings)
        } finally {
          await session.close()
        }
      }
    }
    return EXIT.usage
  } catch (error) {
    return reportFailure(error, { connection: String(values.connection ?? 'default') })
  } finally {
    await journal?.close()
  }
}

function notFound(name: string, jobs: MergeJob[]): MergeError {
  const known = jobs.map((job) => job.id)
  return new MergeError('ERR_MERGE_NOT_FOUND', {
    message: `No merge named "${name}" in this journal${known.length ? ` (it has: ${known.join(', ')})` : ' (it has none)'}. graph-connect merge status lists them; --journal chooses another journal.`,
  })
}

async function listJobs(journal: MergeJournal, format: string): Promise<number> {
  const rows = []
  for (const job of await journal.jobs()) {
    const counts = await journal.counts(job.id)
    rows.push({ name: job.id, state: job.state, rows: job.rows, ...counts, created: job.createdAt })
  }
  const columns = ['name', 'state', 'rows', 'sent', 'failed', 'unknown', 'pending', 'created'].map(
    (key) => ({ key, title: key }),
  )
  process.stdout.write(formatTable(rows, columns, format as 'text', '(no merge in this journal)'))
  return EXIT.ok
}

async function showStatus(
  journal: MergeJournal,
  job: MergeJob,
  format: string,
  watch: boolean,
): Promise<number> {
  if (watch) {
    const progress = mergeProgress(journal, job.id, job.rows)
    for (;;) {
      await progress.refresh()
      const state = (await journal.job(job.id))?.state
      if (state === 'done' || state === 'cancelled') break
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
    await progress.finish()
  }
  const counts = await journal.counts(job.id)
  const record = {
    name: job.id,
    state: job.state,
    rows: job.rows,
    mode: job.mode,
    senders: job.senders.join(', '),
    ...counts,
  }
  if (format === 'json') process.stdout.write(`${JSON.stringify(record)}\n`)
  else {
    const lines = [
      `merge "${job.id}": ${job.state}, ${job.rows} rows from ${job.senders.join(', ')} (${job.mode} mode), created ${job.createdAt}`,
      ...ROW_STATES.filter((state) => counts[state]).map(
        (state) => `  ${state.padEnd(10)}${counts[state]}`,
      ),
    ]
    process.stdout.write(`${lines.join('\n')}\n`)
  }
  return EXIT.ok
}

/** The report, streamed: one CSV line per row (RFC 4180 quoting). */
async function writeReport(journal: MergeJournal, job: MergeJob, out: string | undefined) {
  const stream = out ? createWriteStream(out, { mode: 0o600 }) : process.stdout
  const cell = (value: unknown) => {
    const text = value === null || value === undefined ? '' : String(value)
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
  }
  const toColumn = job.template.columns?.to ?? 'to'
  const write = async (line: string) => {
    if (!stream.write(`${line}\r\n`)) await once(stream, 'drain')
  }
  await write('row,recipient,mailbox,state,internetMessageId,error')
  for await (const row of journal.rows(job.id))
    await write(
      [row.row, row.data[toColumn], row.mailbox, row.state, row.internetMessageId, row.error]
        .map(cell)
        .join(','),
    )
  if (out) {
    stream.end()
    await once(stream, 'finish')
    say(`report of merge "${job.id}" written to ${out}.`)
  }
  return EXIT.ok
}

/**
 * The drafts of the cancelled rows, deleted: here when no worker runs the job (this process can take the journal),
 * else by the worker as it stops (a SQLite journal held by it), or by both (PostgreSQL; a second delete is a 404).
 */
async function deleteDrafts(job: MergeJob, values: OptionValues, settings: Readonly<CliSettings>) {
  let writer: MergeJournal
  try {
    writer = await openJournal(values, settings)
  } catch (error) {
    if (!(error instanceof MergeError && error.code === 'ERR_MERGE_BUSY')) throw error
    say('the worker running it deletes the drafts of the cancelled rows as it stops.')
    return
  }
  try {
    const session = await openCliSession(settings, job.connection)
    try {
      const { deleted, failed } = await deleteCancelledDrafts(
        writer,
        job.id,
        job.limits,
        (mailbox) => graphOf(session, mailbox),
      )
      if (deleted) say(`${deleted} draft(s) of cancelled rows deleted from Drafts.`)
      if (failed)
        say(
          `${failed} draft(s) of cancelled rows could not be deleted: delete them from Drafts by hand.`,
        )
    } finally {
      await session.close()
    }
  } finally {
    await writer.close()
  }
}
