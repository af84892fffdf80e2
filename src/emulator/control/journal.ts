/**
 * The journal: every request the emulator receives, readable "since" a mark, within a budget of bytes (oldest entries
 * dropped first), so that what it holds does not grow with traffic nor with the size of the bodies it keeps.
 */
import type { PathPattern } from './path-pattern.ts'
import { entryBytes, parsedBodyBytes, SUMMARY_BYTES } from './journal-size.ts'

/** One request as the journal shows it (GET /_emulator/journal, EmulatorClient.journal). */
export interface JournalEntry {
  seq: number
  /**
   * ISO time of arrival, to the millisecond (`2026-12-06T14:21:38.123Z`); formatted when the entry is read
   * (serialised), not on the request path. With `durationMs`, the interval the request was in the emulator.
   */
  readonly time: string
  method: string
  path: string
  query: Record<string, unknown>
  headers: RequestHeaders
  /** The parsed JSON or form; binary and large bodies as `{ summary, bytes }`; null without a body. */
  body: unknown
  /**
   * The mailbox a Graph mailbox route (`/me/…`, `/users/{id}/…`) acted on: its user's id, as the route resolved it
   * (for `/me`, the token's user; for `/users/{upn}`, that user's id). Null elsewhere (identity, `/users`, `$batch`,
   * an unknown user).
   */
  mailbox: string | null
  /**
   * Final status; 0 when the connection was reset by a fault, or closed by the client before the emulator answered;
   * null while in flight.
   */
  status: number | null
  /**
   * Milliseconds from arrival until the emulator stopped working on the request: its answer written (a delayed answer
   * included), or its connection reset; null while in flight.
   */
  durationMs: number | null
  /**
   * The scripted fault applied, if any: "status 429", "delay <n>ms", "reset", "deliverThen 504 (handler answered 202)",
   * "deliverThen 202 …", "deliverThen reset …", "… after <n>ms" (answerDelayMs), "answerDelay <n>ms (…)".
   */
  fault?: string
}

/** Request headers as Node parsed them (lower-case names). */
export type RequestHeaders = Record<string, string | string[] | undefined>

/**
 * What the journal may hold by default, in estimated bytes (journal-size.ts): several thousand ordinary requests (a
 * token request is about 1–3 KB), and no more whatever their bodies (each may keep up to 64 KB).
 */
export const JOURNAL_BYTES = 8 * 1024 * 1024
/** Bodies larger than this are summarised instead of kept. */
const BODY_LIMIT = 64 * 1024

export type Journal = ReturnType<typeof createJournal>

/** One journal line: references to what Fastify parsed (no copies); arrival time kept as a number until read. */
class Entry implements JournalEntry {
  readonly seq: number
  readonly at: number
  readonly method: string
  readonly path: string
  readonly query: Record<string, unknown>
  readonly headers: RequestHeaders
  body: unknown = null
  mailbox: string | null = null
  status: number | null = null
  durationMs: number | null = null
  fault?: string
  /** Its estimated size, as counted against the journal's budget. */
  bytes: number
  constructor(
    seq: number,
    method: string,
    path: string,
    query: Record<string, unknown>,
    headers: RequestHeaders,
    bytes: number,
  ) {
    this.seq = seq
    this.at = Date.now()
    this.method = method
    this.path = path
    this.query = query
    this.headers = headers
    this.bytes = bytes
  }

  get time(): string {
    return new Date(this.at).toISOString()
  }

  toJSON() {
    const { seq, time, method, path, query, headers, body, mailbox, status, durationMs, fault } =
      this
    return {
      seq,
      time,
      method,
      path,
      query,
      headers,
      body,
      mailbox,
      status,
      durationMs,
      ...(fault === undefined ? {} : { fault }),
    }
  }
}

/** Which entries to read besides `since`: a method, a path pattern. */
export interface JournalFilter {
  method?: string
  path?: PathPattern
}

/** A read of the journal: the entries asked for, and how many after `since` were dropped before it. */
export interface JournalRead {
  entries: JournalEntry[]
  /** Entries with seq > since that the journal no longer holds (dropped, oldest first, to stay within its budget). */
  dropped: number
}

/** `maxBytes`: the budget; the newest entry is always kept, even alone above it. */
export function createJournal(maxBytes = JOURNAL_BYTES) {
  // Entries in seq order from `head`; the kept seqs are contiguous, so seq → index is arithmetic.
  let kept: (Entry | undefined)[] = []
  let head = 0
  let lastSeq = 0
  let bytes = 0
  const oldestSeq = () => (head < kept.length ? kept[head]!.seq : lastSeq + 1)
  const trim = () => {
    while (bytes > maxBytes && kept.length - head > 1) {
      bytes -= kept[head]!.bytes
      kept[head++] = undefined
    }
    // Compact once the dropped slots are the larger part: amortised O(1) per entry.
    if (head > 1024 && head * 2 > kept.length) {
      kept = kept.slice(head)
      head = 0
    }
  }
  const read = (since: number, filter?: JournalFilter): JournalRead => {
    const oldest = oldestSeq()
    const entries: JournalEntry[] = []
    for (let seq = Math.max(since + 1, oldest); seq <= lastSeq; seq++) {
      const entry = kept[head + seq - oldest]!
      if (filter?.method && entry.method !== filter.method.toUpperCase()) continue
      if (filter?.path && !filter.path.test(entry.path)) continue
      entries.push(entry)
    }
    return { entries, dropped: Math.max(0, oldest - since - 1) }
  }
  return {
    /** Appends an entry and returns it; the hooks fill body and status in later. */
    record(
      method: string,
      path: string,
      query: Record<string, unknown>,
      headers: RequestHeaders,
      rawQueryLength = 0,
    ): JournalEntry {
      const size = entryBytes(method, path, headers, rawQueryLength)
      const entry = new Entry(++lastSeq, method, path, query, headers, size)
      kept.push(entry)
      bytes += size
      trim()
      return entry
    },
    /** Keeps the request's body in its entry (summarised when binary or large) and counts it against the budget. */
    setBody(entry: JournalEntry, body: unknown, contentLength: number): void {
      const shown = journalBody(body, contentLength)
      entry.body = shown
      if (!(entry instanceof Entry) || entry.seq < oldestSeq()) return // dropped while in flight
      const size =
        shown === null ? 0 : shown === body ? parsedBodyBytes(body, contentLength) : SUMMARY_BYTES
      entry.bytes += size
      bytes += size
      trim()
    },
    mark: () => lastSeq,
    /** Entries with seq > since, oldest first, and how many of those were dropped. */
    read,
    /** Entries with seq > since, oldest first (those still kept). */
    since: (since: number, filter?: JournalFilter) => read(since, filter).entries,
    /** What the kept entries are estimated to hold, and the budget. */
    size: () => ({ bytes, maxBytes, entries: kept.length - head }),
    clear() {
      kept = []
      head = 0
      lastSeq = 0
      bytes = 0
    },
  }
}

/** JSON and forms as parsed; binary and oversized bodies as a summary. */
export function journalBody(body: unknown, contentLength: number): unknown {
  if (body === undefined || body === null) return null
  if (contentLength > BODY_LIMIT) return { summary: 'body too large to keep', bytes: contentLength }
  if (Buffer.isBuffer(body) || body instanceof Uint8Array)
    return { summary: 'binary', bytes: body.length }
  return body
}
