/**
 * `openMergeJournal`: the journal a setting names — a `postgres://` (or `postgresql://`) URL for workers on several
 * machines, anything else a SQLite file (embedded, one worker process).
 */
import type { MergeJournal } from './merge-journal.ts'
import { openPostgresMergeJournal } from './postgres-merge-journal.ts'
import { openSqliteMergeJournal } from './sqlite-merge-journal.ts'

export const isPostgresUrl = (spec: string) => /^postgres(ql)?:\/\//i.test(spec)

export async function openMergeJournal(
  spec: string,
  options: { readOnly?: boolean } = {},
): Promise<MergeJournal> {
  if (isPostgresUrl(spec)) return openPostgresMergeJournal(spec)
  return openSqliteMergeJournal(spec, options)
}
