/** The rules both merge journals share: a new job's checks, who sends a row, what may be requeued, the errors. */
import { AppError, MergeError } from '../errors.ts'
import type { MailboxLimits, MergeJournal, NewJob, RowInput, RowState } from './merge-journal.ts'

/** Rows written per transaction while a job is imported: the rows are streamed, never held whole. */
export const IMPORT_BATCH = 1000

/**
 * The sends log keeps at least two days (the longest window Exchange has, a day, with room to spare), or longer when
 * a job's limits have a longer window; it is pruned when a writer opens and then once an hour.
 */
export const SENDS_KEPT_MS = 2 * 86_400_000
export const PRUNE_EVERY_MS = 3_600_000

/** How long a request slot counts when it is never released (its process died), unless the opener says. */
export const SLOT_LEASE_MS = 120_000

/** The states a worker still has work to do in, written out for SQL (`state IN (…)`). */
export const ACTIVE_STATES_SQL = `('pending', 'drafting', 'drafted', 'sending')`

/** The states rows may be requeued from: none of them may have reached anyone twice by being requeued. */
const REQUEUABLE: ReadonlySet<RowState> = new Set(['failed', 'unknown', 'cancelled'])

const JOB_ID = /^[A-Za-z0-9._-]{1,64}$/

/** One mailbox, one gate: the same address in another case is the same mailbox to Exchange. */
export function mailboxKey(mailbox: string): string {
  return mailbox.trim().toLowerCase()
}

/** Row `row` (1-based) is sent by the senders in turn. */
export function senderOf(job: NewJob, row: number): string {
  return mailboxKey(job.senders[(row - 1) % job.senders.length]!)
}

/** Refuses a job that cannot be run, saying what to change. */
export function checkNewJob(job: NewJob): void {
  if (!JOB_ID.test(job.id))
    throw invalid(
      `The merge name "${job.id}" is not valid: use up to 64 letters, digits, '.', '_' or '-'.`,
    )
  if (job.senders.length === 0 || job.senders.some((sender) => !mailboxKey(sender)))
    throw invalid('A merge needs at least one sending mailbox: give --from.')
  checkLimits(job.limits)
}

function checkLimits(limits: MailboxLimits): void {
  for (const [name, value] of Object.entries(limits))
    if (!Number.isSafeInteger(value) || value < 1)
      throw invalid(
        `The mailbox limit ${name} must be a whole number of at least 1 (got ${value}).`,
      )
}

/** Refuses a row the journal cannot file (the reader of the source numbers rows from 1). */
export function checkRow(row: RowInput): void {
  if (!Number.isSafeInteger(row.row) || row.row < 1)
    throw invalid(`Row numbers start at 1 (got ${row.row}).`)
  if (!Number.isSafeInteger(row.recipients) || row.recipients < 0)
    throw invalid(`Row ${row.row} has an invalid recipient count (${row.recipients}).`)
}

export function checkRequeue(state: RowState): void {
  if (!REQUEUABLE.has(state))
    throw invalid(
      `Rows that are ${state} cannot be requeued: only failed, unknown or cancelled rows can be sent again.`,
    )
}

/** A row too large for its mailbox's recipient window would wait forever: refuse it instead. */
export function checkRecipients(row: RowInput, limits: MailboxLimits): void {
  if (row.recipients > limits.recipientsPerWindow)
    throw invalid(
      `Row ${row.row} addresses ${row.recipients} recipients, more than the mailbox may reach in a window (${limits.recipientsPerWindow}): split it.`,
    )
}

/** The settings of a job that must match for an interrupted import to be finished, in the order they are named. */
const SPEC_FIELDS = ['template', 'senders', 'mode', 'limits', 'connection', 'source'] as const

/** The settings of `job` that differ from the interrupted job's stored ones (key order never matters). */
export function specDifferences(stored: NewJob, job: NewJob): string[] {
  return SPEC_FIELDS.filter((field) => canonical(stored[field]) !== canonical(job[field]))
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  )
}

/** createJob for a job whose import was interrupted, with other settings: it cannot be finished with these. */
export function importDiffers(id: string, differences: string[]): MergeError {
  return invalid(
    `A merge named ${id} exists, its import interrupted, with other settings (${differences.join(', ')}): start it again with the same ones to finish its import, or choose another name.`,
  )
}

export function jobExists(id: string): MergeError {
  return invalid(`A merge named ${id} exists: resume it or choose another name.`)
}

export function noSuchJob(id: string): MergeError {
  return new MergeError('ERR_MERGE_NOT_FOUND', {
    message: `No mail merge is named ${id}: see the names with graph-connect merge status.`,
  })
}

export function readOnlyJournal(): MergeError {
  return new MergeError('ERR_MERGE_INVALID', {
    message: 'This merge journal was opened read-only (status, report): it cannot be changed.',
  })
}

function invalid(message: string): MergeError {
  return new MergeError('ERR_MERGE_INVALID', { message })
}

/** A failure of the journal at `where` (the file, or the database) as ERR_MERGE_JOURNAL, unless already one of ours. */
export function journalFailure(error: unknown, where: string): AppError {
  return error instanceof AppError
    ? error
    : new MergeError('ERR_MERGE_JOURNAL', {
        cause: error,
        message: `The merge journal ${where} failed: ${(error as Error).message ?? error}`,
      })
}

/**
 * The journal with every failure that is not already one of ours turned into ERR_MERGE_JOURNAL naming `where` (the
 * file, or the database): one error model for the callers, whichever engine failed. enter() guards itself.
 */
export function guardJournal(journal: MergeJournal, where: string): MergeJournal {
  const wrap = (error: unknown) => journalFailure(error, where)
  const guarded = { ...journal } as Record<string, unknown>
  type Method = (...args: unknown[]) => Promise<unknown>
  for (const [name, method] of Object.entries(journal) as Array<[string, Method]>) {
    if (name === 'rows' || name === 'enter') continue // enter() rejects with the abort signal's own reason
    guarded[name] = (...args: unknown[]) =>
      method.apply(journal, args).catch((error) => {
        throw wrap(error)
      })
  }
  guarded.rows = async function* (id: string) {
    try {
      yield* journal.rows(id)
    } catch (error) {
      throw wrap(error)
    }
  }
  return guarded as unknown as MergeJournal
}
