/** The journal: every request the emulator receives, in a bounded ring buffer, readable "since" a mark. */
import type { PathPattern } from './path-pattern.ts'

/** One request as the journal shows it (GET /_emulator/journal, EmulatorClient.journal). */
export interface JournalEntry {
  seq: number
  /** ISO time of arrival; formatted when the entry is read (serialised), not on the request path. */
  readonly time: string
  method: string
  path: string
  query: Record<string, unknown>
  headers: RequestHeaders
  /** The parsed JSON or form; binary and large bodies as `{ summary, bytes }`; null without a body. */
  body: unknown
  /** Final status; 0 when the connection was reset by a fault, null while in flight. */
  status: number | null
  durationMs: number | null
  /** The scripted fault applied, if any (e.g. "status 429", "deliverThen 504", "reset"). */
  fault?: string
}

/** Request headers as Node parsed them (lower-case names). */
export type RequestHeaders = Record<string, string | string[] | undefined>

export const JOURNAL_CAPACITY = 10_000
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
  status: number | null = null
  durationMs: number | null = null
  fault?: string
  constructor(
    seq: number,
    method: string,
    path: string,
    query: Record<string, unknown>,
    headers: RequestHeaders,
  ) {
    this.seq = seq
    this.at = Date.now()
    this.method = method
    this.path = path
    this.query = query
    this.headers = headers
  }

  get time(): string {
    return new Date(this.at).toISOString()
  }

  toJSON() {
    const { seq, time, method, path, query, headers, body, status, durationMs, fault } = this
    return {
      seq,
      time,
      method,
      path,
      query,
      headers,
      body,
      status,
      durationMs,
      ...(fault === undefined ? {} : { fault }),
    }
  }
}

export function createJournal(capacity = JOURNAL_CAPACITY) {
  let ring: JournalEntry[] = []
  let lastSeq = 0
  return {
    /** Appends an entry (a ring of `capacity`) and returns it; the hooks fill body and status in later. */
    record(
      method: string,
      path: string,
      query: Record<string, unknown>,
      headers: RequestHeaders,
    ): JournalEntry {
      const entry = new Entry(++lastSeq, method, path, query, headers)
      if (ring.length < capacity) ring.push(entry)
      else ring[(entry.seq - 1) % capacity] = entry
      return entry
    },
    mark: () => lastSeq,
    /** Entries with seq > since, oldest first. */
    since(since: number, filter?: { method?: string; path?: PathPattern }): JournalEntry[] {
      const oldest = Math.max(1, lastSeq - ring.length + 1)
      const entries: JournalEntry[] = []
      for (let seq = Math.max(since + 1, oldest); seq <= lastSeq; seq++) {
        const entry = ring.length < capacity ? ring[seq - 1]! : ring[(seq - 1) % capacity]!
        if (filter?.method && entry.method !== filter.method.toUpperCase()) continue
        if (filter?.path && !filter.path.test(entry.path)) continue
        entries.push(entry)
      }
      return entries
    },
    clear() {
      ring = []
      lastSeq = 0
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
