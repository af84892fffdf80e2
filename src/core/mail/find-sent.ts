/**
 * `findSent`: after a send whose answer was lost, looks its key up (`SEND_KEY_PROPERTY`) a few times and says what
 * the mailbox shows — a sent copy, only a draft, nothing, or that it cannot be read. The one reconciliation of the
 * merge (`send-row.ts`) and the web app's "outcome unknown" (RE-04). It never sends.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { GraphError } from '../errors.ts'
import type { FoundMessage, GraphClient } from '../graph/graph-client.ts'
import { SEND_KEY_PROPERTY } from './send-key.ts'

/** What the lookups showed. `drafts`: the ids of every draft carrying the key (a caller may delete them). */
export type SentLookup =
  | { found: 'sent'; internetMessageId: string | null; drafts: string[] }
  | { found: 'draft'; id: string; drafts: string[] }
  | { found: 'none' }
  | { found: 'unreadable' }

export interface FindSentOptions {
  /** How many lookups at most; the first sent copy ends them. */
  checks: number
  /** The wait before the second lookup; each later one waits one more such step (Exchange files the copy late). */
  settleMs: number
  /** Ends the waits: the answer is then what the lookups so far showed (a caller that must not act on it checks). */
  signal?: AbortSignal
  /** Unix ms: the last lookup comes no sooner (a lost send may still be in flight until then). */
  lastCheckNotBefore?: number
  /**
   * A lookup failed (not a 403): resolve to look again in the same check (after whatever pause it makes), throw to
   * stop. Without it, the failed lookup is a check that showed nothing.
   */
  onLookupError?: (error: unknown, attempt: number) => Promise<void>
}

/**
 * Up to `checks` lookups of `key` in every folder: a sent copy ends them (`sent`); after the last, a draft still
 * carrying the key is `draft`, nothing is `none`. A 403 (no Mail.Read / Mail.ReadBasic / Mail.ReadWrite) is
 * `unreadable` at once, as is a run where no lookup got an answer.
 * @example const lookup = await findSent(graph, submissionId, { checks: 3, settleMs: 500 })
 */
export async function findSent(
  graph: Pick<GraphClient, 'findMessagesByProperty'>,
  key: string,
  options: FindSentOptions,
): Promise<SentLookup> {
  const { checks, settleMs, signal, lastCheckNotBefore = 0 } = options
  let found: FoundMessage[] | undefined
  for (let check = 1; check <= checks && !signal?.aborted; check++) {
    const wait = Math.max(
      check === 1 ? 0 : settleMs * (check - 1),
      check === checks ? lastCheckNotBefore - Date.now() : 0,
    )
    if (wait > 0) await sleep(wait, undefined, { signal }).catch(() => undefined)
    if (signal?.aborted) break
    const answer = await lookUp(graph, key, options)
    if (answer === 'unreadable') return { found: 'unreadable' }
    if (answer === 'failed') continue
    found = answer
    const sent = found.find((message) => !message.isDraft)
    if (sent)
      return { found: 'sent', internetMessageId: sent.internetMessageId, drafts: drafts(found) }
  }
  if (!found) return { found: 'unreadable' }
  const ids = drafts(found)
  return ids.length ? { found: 'draft', id: ids[0]!, drafts: ids } : { found: 'none' }
}

/** One lookup, looked again while `onLookupError` allows; 'failed' when it gave up on this check. */
async function lookUp(
  graph: Pick<GraphClient, 'findMessagesByProperty'>,
  key: string,
  options: FindSentOptions,
): Promise<FoundMessage[] | 'unreadable' | 'failed'> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await graph.findMessagesByProperty(SEND_KEY_PROPERTY, key)
    } catch (error) {
      if (error instanceof GraphError && error.httpStatus === 403) return 'unreadable'
      if (!options.onLookupError) return 'failed'
      await options.onLookupError(error, attempt)
    }
  }
}

const MAIL_READ = new Set(['mail.read', 'mail.readbasic', 'mail.readwrite'])

/**
 * True when the granted scopes let the token look a key up: Mail.Read, Mail.ReadBasic or Mail.ReadWrite, short or
 * URL form (Mail.Send alone cannot read). Undefined scopes (not known) are false: no lookup.
 */
export function mayFindSent(scopes: readonly string[] | undefined): boolean {
  return (scopes ?? []).some((scope) =>
    MAIL_READ.has(scope.slice(scope.lastIndexOf('/') + 1).toLowerCase()),
  )
}

const drafts = (found: readonly FoundMessage[]) =>
  found.filter((message) => message.isDraft).map((message) => message.id)
