/**
 * `runMergeJob`: a merge worker run from the command line — the session's Graph clients (paced by core, so no retry
 * budget of their own), the row rendering from the job's template, the progress view, Ctrl-C as a clean stop (a second
 * one quits at once: the journal is safe at any instant) and the exit code from the outcome.
 */
import {
  checkMergeRow,
  compileTemplate,
  runMerge,
  type MergeJob,
  type MergeJournal,
  type MergeOutcome,
} from '../../core/index.ts'
import { reportFailure, say } from '../cli-failure.ts'
import type { CliSession } from '../cli-session.ts'
import type { CliSettings } from '../cli-settings.ts'
import { EXIT } from '../command.ts'
import { mergeProgress, type Counts } from './merge-progress.ts'

export async function runMergeJob(
  job: MergeJob,
  journal: MergeJournal,
  session: CliSession,
  settings: Readonly<CliSettings>,
): Promise<number> {
  const template = compileTemplate(job.template)
  const progress = mergeProgress(journal, job.id, job.rows)
  const stop = new AbortController()
  let interrupts = 0
  const onSignal = () => {
    if (++interrupts > 1) process.exit(130) // the journal is consistent at any instant: quitting loses nothing
    say('stopping: the rows in flight finish, then this worker stops (Ctrl-C again quits at once).')
    stop.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const timer = setInterval(() => void progress.refresh().catch(() => undefined), 250)
  let outcome: MergeOutcome
  try {
    outcome = await runMerge({
      journal,
      jobId: job.id,
      graph: (mailbox) => graphOf(session, mailbox),
      render: async (row) => {
        const checked = await checkMergeRow(
          template,
          { row: row.row, line: row.row, data: row.data },
          { baseDir: job.template.baseDir, readAttachments: true, columns: job.template.columns },
        )
        return checked.ok ? { ok: true, mail: checked.mail } : checked
      },
      timing: settings.mergeTiming,
      onEvent: (event) => progress.event(event),
      signal: stop.signal,
    })
  } finally {
    clearInterval(timer)
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
  const counts = await progress.finish()
  return ending(job, outcome, counts, session.record.name)
}

function ending(job: MergeJob, outcome: MergeOutcome, counts: Counts, connection: string): number {
  const summary = `sent ${counts.sent}, failed ${counts.failed}, unknown ${counts.unknown}, cancelled ${counts.cancelled}, left ${job.rows - counts.sent - counts.failed - counts.unknown - counts.cancelled} of ${job.rows}`
  const report = `graph-connect merge report ${job.id}`
  switch (outcome.ended) {
    case 'failed':
      say(`merge "${job.id}" stopped: ${summary}.`)
      say(`once this is fixed, graph-connect merge resume ${job.id} goes on where it stopped:`)
      return reportFailure(outcome.error, { connection })
    case 'stopped':
      say(`merge "${job.id}" stopped: ${summary}. Go on with graph-connect merge resume ${job.id}.`)
      return EXIT.failed
    case 'cancelled':
      say(`merge "${job.id}" cancelled: ${summary}. ${report} lists every row.`)
      return EXIT.ok
    case 'done':
      say(`merge "${job.id}" done: ${summary}.`)
      if (counts.unknown)
        say(
          `${counts.unknown} row(s) unknown: their answer was lost and no sent copy was found. ${report} lists them; check Sent Items, then resend only those not there with graph-connect merge resume ${job.id} --resend-unknown.`,
        )
      if (counts.failed) say(`${counts.failed} row(s) failed (nothing sent): ${report} says why.`)
      return counts.unknown ? EXIT.outcomeUnknown : counts.failed ? EXIT.failed : EXIT.ok
  }
}

/**
 * The Graph client of a sender mailbox, its retry budget 0 (core paces and retries); the signed-in user's own address
 * (or 'me') acts through /me, which every delegated token may use.
 */
export function graphOf(session: CliSession, mailbox: string) {
  const own = session.record.account?.username?.toLowerCase()
  const self = mailbox === 'me' || mailbox.toLowerCase() === own
  return session.graph(self ? undefined : mailbox, { retryBudgetMs: 0 })
}
