/**
 * createEventStore: calendar events in SQLite (graph_events): by default or immutable id, a user's events in order,
 * a calendar view (events overlapping a window), and every copy of one meeting (by iCalUId).
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite'
import type { EventRecord } from './event-model.ts'

export interface EventOrder {
  field: 'start' | 'end' | 'subject' | 'createdDateTime' | 'lastModifiedDateTime'
  descending: boolean
}
/** A calendar view's window: UTC instants, ISO. */
export interface Window {
  start: string
  end: string
}

const COLUMN: Record<EventOrder['field'], string> = {
  start: 'start',
  end: 'end',
  subject: 'subject COLLATE NOCASE',
  createdDateTime: "json_extract(data, '$.createdDateTime')",
  lastModifiedDateTime: "json_extract(data, '$.lastModifiedDateTime')",
}
// Overlapping the window; an event of no length counts when it starts inside it.
const OVERLAPS = '((start < ? AND end > ?) OR (start = end AND start >= ? AND start < ?))'

const parse = (row: unknown) =>
  row ? (JSON.parse((row as { data: string }).data) as EventRecord) : undefined

export function createEventStore(db: DatabaseSync) {
  const q = {
    insert:
      db.prepare(`INSERT INTO graph_events (id, immutable_id, mailbox, ical_uid, start, end, subject, data)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
    update: db.prepare(
      'UPDATE graph_events SET start = ?, end = ?, subject = ?, data = ? WHERE immutable_id = ?',
    ),
    get: db.prepare(
      'SELECT data FROM graph_events WHERE (id = ? OR immutable_id = ?) AND mailbox = ?',
    ),
    byICalUId: db.prepare('SELECT data FROM graph_events WHERE ical_uid = ? ORDER BY seq'),
    delete: db.prepare('DELETE FROM graph_events WHERE immutable_id = ?'),
  }
  const list = listStatements(db)
  const windowParams = (window: Window | undefined) =>
    window ? [window.end, window.start, window.start, window.end] : []
  const columns = (event: EventRecord) =>
    [event.start, event.end, event.subject, JSON.stringify(event)] as const
  return {
    insert: (event: EventRecord) =>
      void q.insert.run(
        event.id,
        event.immutableId,
        event.mailbox,
        event.iCalUId,
        ...columns(event),
      ),
    update: (event: EventRecord) => void q.update.run(...columns(event), event.immutableId),
    /** By default or immutable id. */
    get: (mailbox: string, id: string) => parse(q.get.get(id, id, mailbox)),
    /** The organizer's event and every attendee's copy. */
    copies: (iCalUId: string) => q.byICalUId.all(iCalUId).map((row) => parse(row)!),
    delete: (event: EventRecord) => void q.delete.run(event.immutableId),
    /** A page of a user's events, in a window when given. */
    list(
      mailbox: string,
      window: Window | undefined,
      order: EventOrder,
      top: number,
      skip: number,
    ) {
      const rows = list(window !== undefined, order, false).all(
        mailbox,
        ...windowParams(window),
        top,
        skip,
      )
      return rows.map((row) => parse(row)!)
    },
    count(mailbox: string, window: Window | undefined): number {
      const order: EventOrder = { field: 'start', descending: false }
      const row = list(window !== undefined, order, true).get(mailbox, ...windowParams(window))
      return (row as { n: number }).n
    },
  }
}

/** One list (or count) statement per (window or not, order), prepared on first use. */
function listStatements(db: DatabaseSync) {
  const lists = new Map<string, StatementSync>()
  return (windowed: boolean, order: EventOrder, counting: boolean) => {
    const key = `${windowed}|${order.field}|${order.descending}|${counting}`
    let statement = lists.get(key)
    if (!statement) {
      const direction = order.descending ? 'DESC' : 'ASC'
      const where = `mailbox = ?${windowed ? ` AND ${OVERLAPS}` : ''}`
      statement = db.prepare(
        counting
          ? `SELECT count(*) AS n FROM graph_events WHERE ${where}`
          : `SELECT data FROM graph_events WHERE ${where}
             ORDER BY ${COLUMN[order.field]} ${direction}, seq ${direction} LIMIT ? OFFSET ?`,
      )
      lists.set(key, statement)
    }
    return statement
  }
}
