// The journal: every request the emulator receives, in a bounded ring buffer, readable "since" a mark.
export interface JournalEntry {
  seq: number
  time: string
  method: string
  path: string
  query: Record<string, unknown>
  headers: Record<string, unknown>
  body: unknown
  /** Final status; 0 when the connection was reset by a fault, null while in flight. */
  status: number | null
  durationMs: number | null
  /** The scripted fault applied, if any (e.g. "status 429", "deliverThen 504", "reset"). */
  fault?: string
}

export const JOURNAL_CAPACITY = 10_000
/** Bodies larger than this are summarised instead of kept. */
const BODY_LIMIT = 64 * 1024

export type Journal = ReturnType<typeof createJournal>

export function createJournal(capacity = JOURNAL_CAPACITY) {
  let ring: JournalEntry[] = []
  let lastSeq = 0
  return {
    /** Appends an entry and returns it (the hooks fill body and status in later). */
    record(entry: Omit<JournalEntry, 'seq'>): JournalEntry {
      const full = { seq: ++lastSeq, ...entry }
      if (ring.length < capacity) ring.push(full)
      else ring[(full.seq - 1) % capacity] = full
      return full
    },
    mark: () => lastSeq,
    /** Entries with seq > since, oldest first. */
    since(since: number, filter?: { method?: string; path?: RegExp }): JournalEntry[] {
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
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) return { summary: 'binary', bytes: body.length }
  return body
}
