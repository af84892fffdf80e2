/** createContactStore: personal contacts in SQLite (graph_contacts), by default or immutable id, listed in order. */
import type { DatabaseSync, StatementSync } from 'node:sqlite'

/** A stored contact: Graph's contact properties, its ids and its owner. */
export interface ContactRecord extends Record<string, unknown> {
  id: string
  immutableId: string
  /** The owner's user id. */
  mailbox: string
  displayName: string
}
export interface ContactOrder {
  field: 'displayName' | 'createdDateTime' | null
  descending: boolean
}

const parse = (row: unknown) =>
  row ? (JSON.parse((row as { data: string }).data) as ContactRecord) : undefined

export function createContactStore(db: DatabaseSync) {
  const q = {
    insert: db.prepare(`INSERT INTO graph_contacts (id, immutable_id, mailbox, display_name, data)
      VALUES (?, ?, ?, ?, ?)`),
    update: db.prepare(
      'UPDATE graph_contacts SET display_name = ?, data = ? WHERE immutable_id = ?',
    ),
    get: db.prepare(
      'SELECT data FROM graph_contacts WHERE (id = ? OR immutable_id = ?) AND mailbox = ?',
    ),
    delete: db.prepare('DELETE FROM graph_contacts WHERE immutable_id = ?'),
    count: db.prepare('SELECT count(*) AS n FROM graph_contacts WHERE mailbox = ?'),
  }
  const lists = new Map<string, StatementSync>()
  const list = (order: ContactOrder) => {
    const key = `${order.field}|${order.descending}`
    let statement = lists.get(key)
    if (!statement) {
      const direction = order.descending ? 'DESC' : 'ASC'
      const column =
        order.field === 'displayName' ? `display_name COLLATE NOCASE ${direction}, ` : ''
      statement = db.prepare(`SELECT data FROM graph_contacts WHERE mailbox = ?
        ORDER BY ${column}seq ${direction} LIMIT ? OFFSET ?`)
      lists.set(key, statement)
    }
    return statement
  }
  return {
    insert: (contact: ContactRecord) =>
      void q.insert.run(
        contact.id,
        contact.immutableId,
        contact.mailbox,
        contact.displayName,
        JSON.stringify(contact),
      ),
    update: (contact: ContactRecord) =>
      void q.update.run(contact.displayName, JSON.stringify(contact), contact.immutableId),
    get: (mailbox: string, id: string) => parse(q.get.get(id, id, mailbox)),
    delete: (contact: ContactRecord) => void q.delete.run(contact.immutableId),
    list: (mailbox: string, order: ContactOrder, top: number, skip: number) =>
      list(order)
        .all(mailbox, top, skip)
        .map((row) => parse(row)!),
    count: (mailbox: string) => (q.count.get(mailbox) as { n: number }).n,
  }
}
