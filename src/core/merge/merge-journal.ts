/**
 * `MergeJournal`: where a mail merge lives — the job, the state of every row, and the per-mailbox gate that keeps
 * Exchange's limits across every worker sharing the journal. Two implementations keep the same contract: SQLite
 * (embedded, one worker process) and PostgreSQL (several workers on several machines).
 */

/**
 * A row's life. Every transition is written before the Graph call it announces, so a process killed at any instant
 * leaves a row whose state says what may have happened:
 * - `pending`   nothing done yet;
 * - `drafting`  a draft may have been created (look it up by the row's key before creating another);
 * - `drafted`   the draft exists (`draftId`), it was not sent;
 * - `sending`   a send was (perhaps) made: its outcome must be reconciled before anything else is done;
 * - `sent`      Graph accepted it (202), or reconciliation found it sent;
 * - `failed`    refused before anything was sent (a bad address, a 4xx): never delivered, the error says why;
 * - `unknown`   ambiguous and not reconcilable (no Mail.ReadWrite): reported, resent only when asked explicitly;
 * - `cancelled` the job was cancelled before the row was sent.
 */
export type RowState =
  'pending' | 'drafting' | 'drafted' | 'sending' | 'sent' | 'failed' | 'unknown' | 'cancelled'

export const ROW_STATES: readonly RowState[] = [
  'pending',
  'drafting',
  'drafted',
  'sending',
  'sent',
  'failed',
  'unknown',
  'cancelled',
]

/** States that need no more work. */
export const FINAL_STATES: ReadonlySet<RowState> = new Set([
  'sent',
  'failed',
  'unknown',
  'cancelled',
])

/**
 * How a row is sent. `draft` (needs Mail.ReadWrite): create a draft carrying the row's key, then send it; an
 * ambiguous outcome is reconciled by looking the key up. `direct` (Mail.Send alone): one sendMail; an ambiguous
 * outcome makes the row `unknown`.
 */
export type SendMode = 'draft' | 'direct'

/** Exchange Online's per-mailbox limits (settings: an organisation may have others). */
export interface MailboxLimits {
  /** Requests in flight per mailbox, all workers together (Outlook: 4). */
  concurrent: number
  /** Sends per rolling window (Exchange: 30 a minute). */
  sendsPerWindow: number
  sendWindowMs: number
  /** Recipients per rolling window (Exchange: 10,000 in 24 hours). */
  recipientsPerWindow: number
  recipientWindowMs: number
}

export const EXCHANGE_LIMITS: MailboxLimits = {
  concurrent: 4,
  sendsPerWindow: 30,
  sendWindowMs: 60_000,
  recipientsPerWindow: 10_000,
  recipientWindowMs: 86_400_000,
}

/** What a merge sends: the template and where its rows came from (kept with the job, so resume needs nothing else). */
export interface MergeTemplate {
  subject: string
  body: string
  format: 'text' | 'html' | 'markdown'
  /** The folder per-row attachment paths are relative to. */
  baseDir: string
  importance?: 'low' | 'normal' | 'high'
  /** The columns holding To, Cc, Bcc and attachments (default `to`, `cc`, `bcc`, `attachments`). */
  columns?: { to?: string; cc?: string; bcc?: string; attachments?: string }
}

export interface NewJob {
  /** The job's name: letters, digits, '.', '_', '-' (up to 64). */
  id: string
  template: MergeTemplate
  /** The sending mailboxes, rows spread over them in turn; ['me'] for the signed-in user. */
  senders: string[]
  mode: SendMode
  limits: MailboxLimits
  /** The connection (graph-connect login) that sends. */
  connection: string
  /** The rows' file, for the report. */
  source: string
}

export type JobState = 'importing' | 'open' | 'cancelled' | 'done'

export interface MergeJob extends NewJob {
  state: JobState
  createdAt: string
  /** Rows imported. */
  rows: number
}

/** One row as imported: its place in the source (1-based), its columns, and the recipients it addresses. */
export interface RowInput {
  row: number
  data: Record<string, string>
  /** To, Cc and Bcc addresses (distinct, lower-case), as counted against the recipient limit. */
  recipients: number
}

export interface MergeRow extends RowInput {
  job: string
  /** The mailbox that sends it. */
  mailbox: string
  /** The idempotency key carried by the draft: `${job}/${row}`. */
  key: string
  state: RowState
  draftId: string | null
  internetMessageId: string | null
  error: string | null
  /** Sends attempted (a resend after reconciliation counts). */
  attempts: number
  updatedAt: string
}

/** What a worker may change on a row it holds; `state` always. */
export interface RowChange {
  state: RowState
  draftId?: string | null
  internetMessageId?: string | null
  error?: string | null
}

/** A request slot on a mailbox; released once the request's answer is read (or known lost). */
export interface Slot {
  release(): void
}

/** A send slot could not be taken yet: wait this long (rate window, recipient window, or a pause Graph asked for). */
export interface Wait {
  waitMs: number
  reason: 'rate' | 'recipients' | 'paused'
}

export interface MergeJournal {
  /**
   * Creates the job and streams its rows in (batches, one transaction each); the job opens once all are in. A job
   * still `importing` (its import cut by kill -9) is finished when given again with the same settings: the rows
   * already in are skipped. With other settings, or a job past importing: ERR_MERGE_INVALID.
   */
  createJob(job: NewJob, rows: AsyncIterable<RowInput>): Promise<MergeJob>
  job(id: string): Promise<MergeJob | undefined>
  jobs(): Promise<MergeJob[]>
  /** Rows per state. */
  counts(id: string): Promise<Record<RowState, number>>
  /**
   * Up to `limit` rows for `worker` to work on: pending rows, and rows in a non-final state whose holder's lease
   * expired (a worker that died) — those come back with their state, to be reconciled. Held for `leaseMs`.
   */
  claim(id: string, worker: string, limit: number, leaseMs: number): Promise<MergeRow[]>
  /** Writes a row's change if `worker` still holds it; false when it does not (its lease was taken over). */
  update(row: MergeRow, worker: string, change: RowChange): Promise<boolean>
  /** Extends every lease `worker` holds. */
  renew(worker: string, leaseMs: number): Promise<void>
  /** Gives back the rows `worker` holds (their state kept). */
  release(worker: string): Promise<void>
  /** Every row in order, streamed (for the report). */
  rows(id: string): AsyncIterable<MergeRow>
  /** Rows in `state` made `pending` again (e.g. resending `unknown` rows when asked explicitly); how many. */
  requeue(id: string, state: RowState): Promise<number>
  /** The job's rows not yet sent become `cancelled`; rows being sent finish. */
  cancel(id: string): Promise<void>
  /** Marks the job done when every row is in a final state; true then. */
  finish(id: string): Promise<boolean>

  /**
   * A request slot on `mailbox`: waits until fewer than `limits.concurrent` requests of all workers are in flight. A
   * slot never released (its process killed) counts until the journal's `slotLeaseMs` has passed, as Graph may still
   * be processing its request.
   */
  enter(mailbox: string, limits: MailboxLimits, signal?: AbortSignal): Promise<Slot>
  /**
   * Takes a send slot for `row` and marks it `sending` (attempts + 1) in one step, if its mailbox is under its send
   * and recipient windows and not paused; else how long to wait. False-y `held` when the row is no longer this worker's.
   * The windows count every attempt, of every job in the journal: a row sent again (after a 429, or reconciled as
   * unsent) counts once more, as Exchange counts it.
   */
  startSend(
    row: MergeRow,
    worker: string,
    limits: MailboxLimits,
  ): Promise<{ ok: true } | Wait | { held: false }>
  /**
   * Graph said slow down (429 Retry-After): no worker enters or starts a send on `mailbox` before `untilMs` (epoch
   * ms, the caller's clock; PostgreSQL turns it into a delay on the database's clock).
   */
  pause(mailbox: string, untilMs: number): Promise<void>

  close(): Promise<void>
}
