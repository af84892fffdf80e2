/**
 * `pacedGraph`: the Graph client of one sender mailbox as a merge uses it. Every call first takes a request slot of the
 * mailbox from the journal's gate (at most `concurrent` in flight, all workers together); a 429 pauses the mailbox
 * for every worker (Retry-After, else back-off) and the call is made again — a throttled request was refused before
 * it was processed, the one failure Graph's guidance says to retry, sends included. A call whose answer never came
 * (a timeout, a reset) keeps its slot a while longer: Exchange may still be working on it.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { GraphError } from '../errors.ts'
import type { GraphClient } from '../graph/graph-client.ts'
import type { MailGraph } from '../mail/send-parsed-mail.ts'
import type { MergeEvent } from './merge-events.ts'
import type { MergeJournal } from './merge-journal.ts'
import type { PaceAdapter } from './pace-adapter.ts'

export interface PacedGraphParts {
  journal: MergeJournal
  pace: PaceAdapter
  /** How long a slot stays taken after a call got no answer, in ms. */
  abandonedHoldMs: number
  emit(event: MergeEvent): void
  signal: AbortSignal
}

/** The GraphClient methods a merge calls. */
export type MergeGraph = MailGraph & Pick<GraphClient, 'findMessagesByProperty'>

const METHODS = [
  'sendMail',
  'createDraft',
  'addAttachment',
  'createUploadSession',
  'uploadRange',
  'sendDraft',
  'deleteMessage',
  'findMessagesByProperty',
] as const satisfies readonly (keyof MergeGraph)[]

export function pacedGraph(graph: MergeGraph, mailbox: string, parts: PacedGraphParts): MergeGraph {
  const paced =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      for (;;) {
        const slot = await parts.journal.enter(mailbox, parts.pace.limits(mailbox), parts.signal)
        let hold = 0
        try {
          return await call(...args)
        } catch (error) {
          if (!(error instanceof GraphError)) throw error
          if (error.httpStatus === 0) hold = parts.abandonedHoldMs
          if (error.httpStatus !== 429) throw error
          await pauseThrottled(parts, mailbox, error)
        } finally {
          if (hold) void sleep(hold).then(() => slot.release())
          else slot.release()
        }
      }
    }
  const wrapped = {} as Record<string, unknown>
  for (const name of METHODS) {
    const method = graph[name] as (...args: unknown[]) => Promise<unknown>
    wrapped[name] = paced((...args: unknown[]) => method(...args))
  }
  return wrapped as MergeGraph
}

/** A 429: the mailbox's limits lowered, and every worker pauses it (Retry-After, else back-off with jitter). */
export async function pauseThrottled(
  parts: Pick<PacedGraphParts, 'journal' | 'pace' | 'emit'>,
  mailbox: string,
  error: GraphError,
): Promise<void> {
  const kind = /MailboxConcurrency/i.test(error.message) ? 'concurrency' : 'rate'
  const retryAfterMs =
    error.retryAfterSeconds === undefined ? undefined : error.retryAfterSeconds * 1000
  const waitMs = parts.pace.throttled(mailbox, kind, retryAfterMs)
  parts.emit({ type: 'throttled', mailbox, waitMs })
  await parts.journal.pause(mailbox, Date.now() + waitMs)
}
