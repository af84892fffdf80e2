/**
 * `runMerge`: one worker of a merge job. It claims rows from the journal (its own share, and rows of workers that
 * died), drives each through `sendRow` with every Graph call paced per mailbox, renews its leases, and ends when
 * every row of the job is final, the job is cancelled, the signal stops it, or an error every row would meet does.
 * Several workers — in one process or on several machines sharing a PostgreSQL journal — run the same loop.
 */
import { hostname } from 'node:os'
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { AppError, MergeError } from '../errors.ts'
import type { MergeEvent, MergeOutcome } from './merge-events.ts'
import type { MergeJournal, MergeRow } from './merge-journal.ts'
import { deleteCancelledDrafts } from './cancelled-drafts.ts'
import { createMailboxTurns } from './mailbox-turns.ts'
import { createPaceAdapter } from './pace-adapter.ts'
import { pacedGraph, type MergeGraph } from './paced-graph.ts'
import {
  sendRow,
  WorkerStop,
  type MergeRender,
  type MergeTiming,
  type RowContext,
} from './send-row.ts'

export interface RunMergeOptions {
  journal: MergeJournal
  /** The job's name. */
  jobId: string
  /** The Graph client of a sender mailbox ('me': the signed-in user's); its own retry budget should be 0 (paced here). */
  graph(mailbox: string): MergeGraph
  /** The row's message, its attachments read, or why it cannot be sent. */
  render(row: MergeRow): Promise<MergeRender>
  timing?: Partial<MergeTiming>
  onEvent?(event: MergeEvent): void
  signal?: AbortSignal
  /** This worker's name in the journal (default: host, pid and a random suffix). */
  worker?: string
}

export const MERGE_TIMING: MergeTiming = {
  leaseMs: 120_000,
  settleChecks: 4,
  settleMs: 5_000,
  abandonedHoldMs: 30_000,
  idlePollMs: 1_000,
}

export const workerName = () => `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`

export async function runMerge(options: RunMergeOptions): Promise<MergeOutcome> {
  const { journal, jobId } = options
  const job = await journal.job(jobId)
  if (!job) throw new MergeError('ERR_MERGE_NOT_FOUND', { message: `No merge named "${jobId}".` })
  if (job.state === 'cancelled') return { ended: 'cancelled' }
  const timing = { ...MERGE_TIMING, ...options.timing }
  const worker = options.worker ?? workerName()
  const stop = new AbortController()
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal
  const emit = options.onEvent ?? (() => undefined)
  const pace = createPaceAdapter(job.limits)
  const clients = new Map<string, MergeGraph>()
  const rawClients = new Map<string, MergeGraph>()
  const context: RowContext = {
    journal,
    job,
    worker,
    graph(mailbox) {
      let client = clients.get(mailbox)
      if (!client) {
        const parts = { journal, pace, abandonedHoldMs: timing.abandonedHoldMs, emit, signal }
        client = pacedGraph(context.rawGraph(mailbox), mailbox, parts)
        clients.set(mailbox, client)
      }
      return client
    },
    rawGraph(mailbox) {
      let client = rawClients.get(mailbox)
      if (!client) rawClients.set(mailbox, (client = options.graph(mailbox)))
      return client
    },
    sendTurn: createMailboxTurns(),
    render: options.render,
    pace,
    timing,
    emit,
    signal,
  }
  let failure: AppError | undefined
  const onRowError = (error: unknown) => {
    // Stopping aborts the waits of rows in flight (a slot, a window): their rows stay where resume expects them.
    if (signal.aborted && !(error instanceof WorkerStop)) return
    failure ??= error instanceof WorkerStop ? error.error : asAppError(error)
    stop.abort()
  }
  // Two rows per request slot of every mailbox: one waiting on its send window while the other is in flight.
  const capacity = job.senders.length * job.limits.concurrent * 2
  const inflight = new Set<Promise<void>>()
  const renewal = setInterval(
    () => void journal.renew(worker, timing.leaseMs).catch(() => undefined),
    timing.leaseMs / 3,
  )
  try {
    for (;;) {
      if (signal.aborted) break
      if ((await journal.job(jobId))?.state === 'cancelled') {
        stop.abort()
        break
      }
      const want = capacity - inflight.size
      const rows = want > 0 ? await journal.claim(jobId, worker, want, timing.leaseMs) : []
      for (const row of rows) {
        const run: Promise<void> = sendRow(context, row)
          .catch(onRowError)
          .finally(() => inflight.delete(run))
        inflight.add(run)
      }
      if (rows.length === want) await Promise.race(inflight)
      else if (inflight.size) await Promise.race([...inflight, sleep(timing.idlePollMs)])
      else if (await journal.finish(jobId)) return { ended: 'done' }
      else await sleep(timing.idlePollMs) // rows held by other workers, or by a dead one until its lease ends
    }
    await Promise.allSettled(inflight)
    if (failure) return { ended: 'failed', error: failure }
    if ((await journal.job(jobId))?.state === 'cancelled') {
      await deleteCancelledDrafts(journal, jobId, job.limits, context.rawGraph).catch(
        () => undefined,
      )
      return { ended: 'cancelled' }
    }
    return { ended: 'stopped' }
  } finally {
    clearInterval(renewal)
    await journal.release(worker).catch(() => undefined)
  }
}

function asAppError(error: unknown): AppError {
  if (error instanceof AppError) return error
  return new MergeError('ERR_MERGE_JOURNAL', {
    message: `The merge stopped on an unexpected error: ${(error as Error)?.message ?? String(error)}`,
    cause: error,
  })
}
