/**
 * `openMergeJournal`: the journal a setting names — a `postgres://` (or `postgresql://`) URL for workers on several
 * machines, anything else a SQLite file (embedded, one worker process).
 */
import type { MergeJournal } from './merge-journal.ts'
import { openPostgresMergeJournal } from './postgres-merge-journal.ts'
import { openSqliteMergeJournal } from './sqlite-merge-journal.ts'

export const isPostgresUrl = (spec: string) => /^postgres(ql)?:\/\//i.test(spec)

export interface MergeJournalOptions {
  /** Status and report: reads, never writes. */
  readOnly?: boolean
  /** Cancel: reads, and cancels a job while a worker runs it (SQLite: beside the worker holding the file). */
  control?: boolean
  /** How long a request slot counts if it is never released (see each engine's option). Default 120 s. */
  slotLeaseMs?: number
}

export async function openMergeJournal(
  spec: string,
  options: MergeJournalOptions = {},
): Promise<MergeJournal> {
  if (isPostgresUrl(spec)) return openPostgresMergeJournal(spec, options)
  return openSqliteMergeJournal(spec, options)
}
