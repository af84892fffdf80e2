/**
 * `deleteCancelledDrafts`: after a cancel, the drafts of rows that were drafted but never sent are deleted, so that
 * nothing of the merge is left in Drafts for someone to send by hand, outside its bookkeeping. Each delete takes a
 * request slot of its mailbox like every merge call; a draft already gone (404) is fine.
 */
import { GraphError } from '../errors.ts'
import type { MailboxLimits, MergeJournal } from './merge-journal.ts'
import type { MergeGraph } from './paced-graph.ts'

export async function deleteCancelledDrafts(
  journal: MergeJournal,
  jobId: string,
  limits: MailboxLimits,
  graph: (mailbox: string) => Pick<MergeGraph, 'deleteMessage'>,
): Promise<{ deleted: number; failed: number }> {
  let deleted = 0
  let failed = 0
  for await (const row of journal.rows(jobId)) {
    if (row.state !== 'cancelled' || !row.draftId) continue
    const slot = await journal.enter(row.mailbox, limits)
    try {
      await graph(row.mailbox).deleteMessage(row.draftId)
      deleted++
    } catch (error) {
      if (error instanceof GraphError && error.httpStatus === 404) continue
      failed++
    } finally {
      slot.release()
    }
  }
  return { deleted, failed }
}
