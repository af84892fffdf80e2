/**
 * `sendRow`: one row of a merge through its states to a final one. Each state is written to the journal before the
 * Graph call it announces, so whatever instant the process dies at, the next worker knows what may have happened:
 * `drafting` → a draft may exist (found by the row's key, deleted, made again); `sending` → the send may have gone
 * (reconciled by the key: a sent copy means sent; a draft still there after the settle checks means not sent, and it
 * is sent again; nothing found means unknown). Only 429s are retried blindly; an ambiguous send never is.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { AppError } from '../errors.ts'
import { AuthError, GraphError } from '../errors.ts'
import { composeMessage } from '../mail/compose-message.ts'
import { findSent, type FindSentOptions } from '../mail/find-sent.ts'
import type { ParsedMail } from '../mail/mail.ts'
import { saveParsedDraft } from '../mail/send-parsed-mail.ts'
import { withSendKey } from '../mail/send-key.ts'
import type { MailboxTurns } from './mailbox-turns.ts'
import type { MergeEvent } from './merge-events.ts'
import type { MergeJob, MergeJournal, MergeRow, RowChange } from './merge-journal.ts'
import type { PaceAdapter } from './pace-adapter.ts'
import { pauseThrottled, type MergeGraph } from './paced-graph.ts'

/** A row's message ready to send, or why it cannot be. */
export type MergeRender = { ok: true; mail: ParsedMail } | { ok: false; problems: string[] }

export interface MergeTiming {
  /** How long a claimed row stays this worker's without renewal (renewed every third of it). */
  leaseMs: number
  /** How many lookups an ambiguous send gets before its draft is trusted to be unsent. */
  settleChecks: number
  /** The wait before the second lookup; each later one waits one more such step. */
  settleMs: number
  /** How long a request slot stays taken after a call got no answer. */
  abandonedHoldMs: number
  /** How often an idle worker looks for rows again (others' rows, dead workers' leases). */
  idlePollMs: number
}

export interface RowContext {
  journal: MergeJournal
  job: MergeJob
  worker: string
  /** The mailbox's turn to take its send window (mailbox-turns.ts); the function gives it back. */
  sendTurn: MailboxTurns
  /** The paced client of the row's mailbox (drafts, lookups, deletes). */
  graph(mailbox: string): MergeGraph
  /** The same mailbox's client unpaced: sends take their slots themselves (`sendNow`). */
  rawGraph(mailbox: string): MergeGraph
  render(row: MergeRow): Promise<MergeRender>
  pace: PaceAdapter
  timing: MergeTiming
  emit(event: MergeEvent): void
  signal: AbortSignal
}

/** An error every row would meet (sign-in, permission): the worker stops; the row is left where resume expects it. */
export class WorkerStop extends Error {
  readonly error: AppError
  constructor(error: AppError) {
    super(error.message, { cause: error })
    this.error = error
  }
}

/** Drives the row until it is final, the worker loses it (lease taken over) or the signal stops the worker. */
export async function sendRow(context: RowContext, claimed: MergeRow): Promise<void> {
  let row: MergeRow | null = claimed
  while (row && !context.signal.aborted) {
    if (row.state === 'pending')
      row =
        context.job.mode === 'draft' ? await draft(context, row) : await sendDirect(context, row)
    else if (row.state === 'drafting') row = await recoverDraft(context, row)
    else if (row.state === 'drafted') row = await sendDraft(context, row)
    else if (row.state === 'sending') row = await reconcile(context, row)
    else return
  }
}

/** Writes the change if the row is still this worker's; the row as changed, or null when it is not. */
async function move(
  context: RowContext,
  row: MergeRow,
  change: RowChange,
): Promise<MergeRow | null> {
  if (!(await context.journal.update(row, context.worker, change))) return null
  const moved = { ...row, ...change }
  context.emit({
    type: 'row',
    row: row.row,
    mailbox: row.mailbox,
    state: moved.state,
    internetMessageId: moved.internetMessageId,
    error: moved.error,
  })
  return moved
}

async function draft(context: RowContext, row: MergeRow): Promise<MergeRow | null> {
  const rendered = await context.render(row)
  if (!rendered.ok)
    return move(context, row, { state: 'failed', error: rendered.problems.join(' ') })
  const drafting = await move(context, row, { state: 'drafting' })
  if (!drafting) return null
  try {
    const graph = context.graph(row.mailbox)
    const saved = await saveParsedDraft(graph, rendered.mail, (message) =>
      withSendKey(message, row.key),
    )
    const drafted = await move(context, drafting, {
      state: 'drafted',
      draftId: saved.id,
      internetMessageId: saved.internetMessageId || null,
    })
    // Cancelled (or taken over) meanwhile: the draft is nobody's to send, and is not left in Drafts.
    if (!drafted) await graph.deleteMessage(saved.id).catch(() => undefined)
    return drafted
  } catch (error) {
    if (isDefinitive(error)) return move(context, drafting, failure(error))
    throwIfSystemic(error)
    await pause(context)
    return drafting // a draft may exist: recoverDraft looks it up
  }
}

/** `drafting` after a crash or a lost answer: a sent copy means done; drafts (perhaps incomplete) are deleted. */
async function recoverDraft(context: RowContext, row: MergeRow): Promise<MergeRow | null> {
  const found = await lookUp(context, row, { checks: 1, settleMs: 0 })
  if (context.signal.aborted) return null
  if (found.found === 'unreadable') return move(context, row, { state: 'pending' })
  if (found.found !== 'none') await deleteDrafts(context, row, found.drafts)
  if (found.found === 'sent')
    return move(context, row, { state: 'sent', internetMessageId: found.internetMessageId })
  return move(context, row, { state: 'pending', draftId: null })
}

async function sendDraft(context: RowContext, row: MergeRow): Promise<MergeRow | null> {
  const sent = await sendNow(context, row, (graph) => graph.sendDraft(row.draftId!))
  if (sent.kind === 'done') return sent.row
  const { sending, error } = sent
  if (isAmbiguous(error) || isNotFound(error)) return sending // reconcile decides
  if (isDefinitive(error)) return move(context, sending, failure(error))
  const back = await move(context, sending, { state: 'drafted' }) // refused before processing
  if (isThrottled(error)) return back
  throwIfSystemic(error)
  throw error
}

async function sendDirect(context: RowContext, row: MergeRow): Promise<MergeRow | null> {
  const rendered = await context.render(row)
  if (!rendered.ok)
    return move(context, row, { state: 'failed', error: rendered.problems.join(' ') })
  const { message, deferredAttachments } = composeMessage(rendered.mail)
  if (deferredAttachments.length)
    return move(context, row, {
      state: 'failed',
      error:
        'Its attachments are too large for one sendMail (over 3 MB): they go up through a draft, which needs Mail.ReadWrite; sign in with it and use --mode draft.',
    })
  const sent = await sendNow(context, row, (graph) =>
    graph.sendMail(withSendKey(message, row.key), rendered.mail.saveToSentItems),
  )
  if (sent.kind === 'done') return sent.row
  const { sending, error } = sent
  if (isAmbiguous(error)) return sending
  if (isDefinitive(error)) return move(context, sending, failure(error))
  const back = await move(context, sending, { state: 'pending' })
  if (isThrottled(error)) return back
  throwIfSystemic(error)
  throw error
}

/**
 * `sending` after an ambiguous answer or a crash: looks the key up until a sent copy shows, `settleChecks` times
 * with growing waits (Exchange files the sent copy after answering). Draft mode: a draft still there after them was
 * not sent, and is sent again. Direct mode (or no Mail.Read): nothing proves it unsent, so the row is unknown.
 */
async function reconcile(context: RowContext, row: MergeRow): Promise<MergeRow | null> {
  const { settleChecks, settleMs, abandonedHoldMs } = context.timing
  // A draft still there is trusted unsent only once the lost send can no longer be in flight: the last lookup comes
  // no sooner than the request slot of a call without an answer is held.
  const found = await lookUp(context, row, {
    checks: settleChecks,
    settleMs,
    lastCheckNotBefore: Date.now() + abandonedHoldMs,
  })
  if (context.signal.aborted) return null
  if (found.found === 'sent') {
    await deleteDrafts(context, row, found.drafts)
    context.emit({ type: 'reconciled', row: row.row, mailbox: row.mailbox, outcome: 'sent' })
    return move(context, row, { state: 'sent', internetMessageId: found.internetMessageId })
  }
  if (found.found === 'draft' && context.job.mode === 'draft') {
    context.emit({ type: 'reconciled', row: row.row, mailbox: row.mailbox, outcome: 'resend' })
    return move(context, row, { state: 'drafted', draftId: found.id })
  }
  context.emit({ type: 'reconciled', row: row.row, mailbox: row.mailbox, outcome: 'unknown' })
  return move(context, row, {
    state: 'unknown',
    error:
      found.found === 'unreadable'
        ? `Graph's answer to the send was lost, and this connection cannot read ${row.mailbox}'s mail to check (Mail.Read): look in its Sent Items for the key ${row.key}; resend with merge resume --resend-unknown only if it is not there.`
        : `Graph's answer to the send was lost and no sent copy carrying the key ${row.key} showed after ${settleChecks} checks: look in ${row.mailbox}'s Sent Items; resend with merge resume --resend-unknown only if it is not there.`,
  })
}

/**
 * The row's key looked up (core's `findSent`) on the mailbox's paced client; a failed lookup is tried again after a
 * pause until it answers, a sign-in or permission failure stops the worker (a 403 is 'unreadable').
 */
function lookUp(
  context: RowContext,
  row: MergeRow,
  options: Omit<FindSentOptions, 'signal' | 'onLookupError'>,
) {
  return findSent(context.graph(row.mailbox), row.key, {
    ...options,
    signal: context.signal,
    async onLookupError(error, attempt) {
      throwIfSystemic(error)
      if (context.signal.aborted) throw error
      await pause(context, attempt)
    },
  })
}

async function deleteDrafts(context: RowContext, row: MergeRow, ids: readonly string[]) {
  for (const id of ids)
    await context
      .graph(row.mailbox)
      .deleteMessage(id)
      .catch(() => undefined)
}

type SendAttempt =
  { kind: 'done'; row: MergeRow | null } | { kind: 'failed'; sending: MergeRow; error: unknown }

/**
 * One send, paced: a request slot of the mailbox first, then — holding it — a send slot of its rolling windows
 * (which marks the row `sending`), then the call at once, so that the window counts sends as Exchange sees them
 * arrive. While a window is full the request slot is given back and the wait is spent without it. A 429 pauses
 * the mailbox for every worker; the caller puts the row back and it waits its turn again.
 */
async function sendNow(
  context: RowContext,
  row: MergeRow,
  call: (graph: MergeGraph) => Promise<void>,
): Promise<SendAttempt> {
  const leaveTurn = await context.sendTurn(row.mailbox)
  try {
    return await sendInTurn(context, row, call, leaveTurn)
  } finally {
    leaveTurn()
  }
}

/** sendNow's loop, its mailbox's turn held until the send slot is taken (or the row is lost). */
async function sendInTurn(
  context: RowContext,
  row: MergeRow,
  call: (graph: MergeGraph) => Promise<void>,
  leaveTurn: () => void,
): Promise<SendAttempt> {
  const { journal, pace, signal } = context
  for (;;) {
    const limits = pace.limits(row.mailbox)
    const slot = await journal.enter(row.mailbox, limits, signal)
    let holdMs = 0
    let waitMs: number | undefined
    try {
      const answer = await journal.startSend(row, context.worker, limits)
      if ('held' in answer) return { kind: 'done', row: null }
      if (!('ok' in answer)) {
        waitMs = answer.waitMs
        context.emit({ type: 'waiting', mailbox: row.mailbox, reason: answer.reason, waitMs })
      } else {
        leaveTurn() // the next row may take the window while this one sends
        const sending = { ...row, state: 'sending' as const, attempts: row.attempts + 1 }
        context.emit({ type: 'row', row: row.row, mailbox: row.mailbox, state: 'sending' })
        try {
          await call(context.rawGraph(row.mailbox))
        } catch (error) {
          if (error instanceof GraphError && error.httpStatus === 0)
            holdMs = context.timing.abandonedHoldMs // Exchange may still be working on it
          if (isThrottled(error)) await pauseThrottled(context, row.mailbox, error as GraphError)
          return { kind: 'failed', sending, error }
        }
        pace.succeeded(row.mailbox)
        return { kind: 'done', row: await move(context, sending, { state: 'sent' }) }
      }
    } finally {
      if (holdMs) void sleep(holdMs).then(() => slot.release())
      else slot.release()
    }
    try {
      await sleep(waitMs ?? 0, undefined, { signal })
    } catch {
      return { kind: 'done', row: null }
    }
  }
}

const isThrottled = (error: unknown) => error instanceof GraphError && error.httpStatus === 429

/** A wait with full jitter before trying a failed read or create again: 0.25 s, 0.5 s, … up to 8 s. */
function pause(context: RowContext, attempt = 1): Promise<void> {
  const ms = Math.random() * 250 * 2 ** Math.min(attempt - 1, 5)
  return sleep(ms, undefined, { signal: context.signal }).catch(() => undefined)
}

/** Graph may have processed it: a timeout, a reset, a 5xx on a send. */
const isAmbiguous = (error: unknown) => error instanceof GraphError && error.outcome === 'unknown'

const isNotFound = (error: unknown) => error instanceof GraphError && error.httpStatus === 404

/** Refused for this row alone, nothing sent: 400, 404, 413 and the like (not 401, 403, 408, 429). */
function isDefinitive(error: unknown): error is GraphError {
  if (!(error instanceof GraphError)) return false
  const status = error.httpStatus
  return status >= 400 && status < 500 && ![401, 403, 408, 429].includes(status)
}

function failure(error: GraphError): RowChange {
  return { state: 'failed', error: error.message }
}

/** Sign-in and permission failures stop the worker: every row would meet them. */
function throwIfSystemic(error: unknown): void {
  if (error instanceof AuthError) throw new WorkerStop(error)
  if (error instanceof GraphError && (error.httpStatus === 401 || error.httpStatus === 403))
    throw new WorkerStop(error)
}
