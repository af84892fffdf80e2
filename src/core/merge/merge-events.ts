/** What a merge worker tells while it works (`MergeEvent`), and how its run ended (`MergeOutcome`). */
import type { AppError } from '../errors.ts'
import type { RowState, Wait } from './merge-journal.ts'

export type MergeEvent =
  /** A row reached a state (final ones, and `drafted` / `sending` on the way). */
  | {
      type: 'row'
      row: number
      mailbox: string
      state: RowState
      internetMessageId?: string | null
      error?: string | null
    }
  /** A mailbox's send waits for its window (rate or recipients) or a pause Graph asked for. */
  | { type: 'waiting'; mailbox: string; reason: Wait['reason']; waitMs: number }
  /** Graph answered 429 for a mailbox: no request goes there for `waitMs`. */
  | { type: 'throttled'; mailbox: string; waitMs: number }
  /** An ambiguous send was looked up: found sent, found unsent and sent again, or left unknown. */
  | { type: 'reconciled'; row: number; mailbox: string; outcome: 'sent' | 'resend' | 'unknown' }

export type MergeOutcome =
  /** Every row is in a final state: the job is done. */
  | { ended: 'done' }
  /** The job was cancelled (by `merge cancel`, here or elsewhere). */
  | { ended: 'cancelled' }
  /** Stopped by the signal (Ctrl-C): rows in flight finished or were left in a state resume understands. */
  | { ended: 'stopped' }
  /** Stopped by an error every row would meet (sign-in expired, permission missing): resume once it is fixed. */
  | { ended: 'failed'; error: AppError }
