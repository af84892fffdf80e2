/**
 * createMailStore: mailboxes in SQLite (messages, file attachments, upload sessions; settings, events, contacts),
 * statements prepared once; a message is found by its default or its immutable id; lists and counts take a compiled
 * `$filter` (SqlFilter); every change to a message is told to `emit` once it is committed.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite'
import { createContactStore } from './contact-store.ts'
import { createEventStore } from './event-store.ts'
import type { MailEvent } from './mail-events.ts'
import { createSettingsStore } from './mailbox-settings.ts'
import type { AttachmentRecord, MessageRecord } from './message-model.ts'
import { createOutlookTables } from './outlook-tables.ts'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS graph_messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
  mailbox TEXT NOT NULL COLLATE NOCASE, folder TEXT NOT NULL, received TEXT NOT NULL, sent TEXT NOT NULL,
  subject TEXT NOT NULL, is_read INTEGER NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS graph_messages_folder ON graph_messages (mailbox, folder, received);
CREATE TABLE IF NOT EXISTS graph_attachments (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
  message_id TEXT NOT NULL, data TEXT NOT NULL, bytes BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS graph_attachments_message ON graph_attachments (message_id);
CREATE INDEX IF NOT EXISTS graph_messages_immutable ON graph_messages (json_extract(data, '$.immutableId'));
CREATE INDEX IF NOT EXISTS graph_messages_imid ON graph_messages
  (mailbox, json_extract(data, '$.internetMessageId') COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS graph_upload_sessions (id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS graph_upload_chunks (session_id TEXT NOT NULL, start INTEGER NOT NULL, bytes BLOB NOT NULL,
  PRIMARY KEY (session_id, start));`

export type OrderBy = {
  field: 'receivedDateTime' | 'sentDateTime' | 'subject'
  descending: boolean
}
export interface UploadSession {
  id: string
  token: string
  mailbox: string
  messageId: string
  name: string
  contentType: string
  size: number
  isInline: boolean
  contentId: string | null
  received: number
  expirationDateTime: string
}
type AttachmentMeta = Omit<AttachmentRecord, 'bytes'>
/** A `$filter` compiled to a WHERE condition over graph_messages, its values bound as parameters. */
export interface SqlFilter {
  sql: string
  params: (string | number | null)[]
}

const COLUMN = {
  receivedDateTime: 'received',
  sentDateTime: 'sent',
  subject: 'subject COLLATE NOCASE',
} as const

export type MailStore = ReturnType<typeof createMailStore>

export function createMailStore(db: DatabaseSync, emit: (event: MailEvent) => void = () => {}) {
  db.exec(SCHEMA)
  const q = prepareStatements(db)
  const outlook = createOutlookTables(db)
  // Inside a transaction, changes are told once it commits (a rolled-back send told nobody anything).
  let pending: MailEvent[] | undefined
  const tell = (event: MailEvent) => (pending ? pending.push(event) : emit(event))
  return {
    /** What each user changed of their mailboxSettings. */
    settings: createSettingsStore(db),
    /** Calendar events, every user's. */
    events: createEventStore(db),
    /** Personal contacts, every user's. */
    contacts: createContactStore(db),
    /** Runs `work` in one transaction (one per send: every copy lands or none). */
    transaction<T>(work: () => T): T {
      q.begin.run()
      pending = []
      try {
        const result = work()
        q.commit.run()
        const committed = pending
        pending = undefined
        for (const event of committed) emit(event)
        return result
      } catch (error) {
        pending = undefined
        q.rollback.run()
        throw error
      }
    },
    ...messageMethods(db, q, tell),
    ...queryMethods(db),
    ...attachmentMethods(q),
    ...uploadSessionMethods(q),
    clear(): void {
      db.exec(
        'DELETE FROM graph_messages; DELETE FROM graph_attachments; DELETE FROM graph_upload_sessions; DELETE FROM graph_upload_chunks;',
      )
      outlook.clear()
      tell({ change: 'cleared' })
    },
  }
}

/** What a change tells about its message. */
const about = (change: MailEvent['change'], message: MessageRecord): MailEvent => ({
  change,
  id: message.id,
  mailbox: message.mailbox,
  folder: message.folder,
  subject: message.subject,
  isRead: message.isRead,
  ...(change === 'created' ? { from: message.from?.emailAddress.address ?? '' } : {}),
})

type Statements = ReturnType<typeof prepareStatements>

const parseMessage = (row: unknown) =>
  row ? (JSON.parse((row as { data: string }).data) as MessageRecord) : undefined

function messageMethods(db: DatabaseSync, q: Statements, tell: (event: MailEvent) => void) {
  // One list statement per (folder or not, order), prepared on first use.
  const lists = new Map<string, StatementSync>()
  const listStatement = (withFolder: boolean, order: OrderBy) => {
    const key = `${withFolder}|${order.field}|${order.descending}`
    let statement = lists.get(key)
    if (!statement) {
      const direction = order.descending ? 'DESC' : 'ASC'
      statement =
        db.prepare(`SELECT data FROM graph_messages WHERE mailbox = ? ${withFolder ? 'AND folder = ?' : ''}
        ORDER BY ${COLUMN[order.field]} ${direction}, seq ${direction} LIMIT ? OFFSET ?`)
      lists.set(key, statement)
    }
    return statement
  }
  const row = (message: MessageRecord) =>
    [
      message.folder,
      message.receivedDateTime,
      message.sentDateTime,
      message.subject,
      message.isRead ? 1 : 0,
      JSON.stringify(message),
    ] as const
  return {
    insert(message: MessageRecord): void {
      q.insert.run(message.id, message.mailbox, ...row(message))
      tell(about('created', message))
    },
    update(message: MessageRecord): void {
      q.update.run(...row(message), message.id)
      tell(about('updated', message))
    },
    /** By default or immutable id. */
    get: (mailbox: string, id: string) => parseMessage(q.get.get(id, id, mailbox)),
    getById: (id: string) => parseMessage(q.getAny.get(id, id)),
    delete(id: string): void {
      const message = parseMessage(q.getAny.get(id, id))
      q.delete.run(id)
      q.deleteAttachments.run(id)
      if (message) tell(about('deleted', message))
    },
    /** Every message of one mailbox (all its folders) and their attachments, deleted. */
    empty(mailbox: string): void {
      q.deleteMailboxAttachments.run(mailbox)
      q.deleteMailbox.run(mailbox)
      tell({ change: 'cleared', mailbox })
    },
    /** Every mailbox's messages, newest first, read lazily (a search stops when its page is full). */
    *everything(): Generator<MessageRecord> {
      for (const found of q.everything.iterate()) yield parseMessage(found)!
    },
    /** How many messages are kept, and how many of them are unread, in every mailbox together. */
    totals: () => q.totals.get() as { total: number; unread: number },
    list(
      mailbox: string,
      folder: string | undefined,
      order: OrderBy,
      top: number,
      skip: number,
    ): MessageRecord[] {
      const statement = listStatement(folder !== undefined, order)
      const rows =
        folder === undefined
          ? statement.all(mailbox, top, skip)
          : statement.all(mailbox, folder, top, skip)
      return rows.map((found) => parseMessage(found)!)
    },
    counts(mailbox: string): Map<string, { total: number; unread: number }> {
      const rows = q.counts.all(mailbox) as { folder: string; total: number; unread: number }[]
      return new Map(
        rows.map((found) => [found.folder, { total: found.total, unread: found.unread ?? 0 }]),
      )
    },
    mailboxes: () => (q.mailboxes.all() as { mailbox: string }[]).map((found) => found.mailbox),
  }
}

const QUERY_CACHE_LIMIT = 256

/** Filtered lists and counts: one statement per distinct condition, kept in a bounded cache. */
function queryMethods(db: DatabaseSync) {
  const cache = new Map<string, StatementSync>()
  const statement = (sql: string) => {
    let prepared = cache.get(sql)
    if (!prepared) {
      if (cache.size >= QUERY_CACHE_LIMIT) cache.delete(cache.keys().next().value!)
      prepared = db.prepare(sql)
      cache.set(sql, prepared)
    }
    return prepared
  }
  const where = (folder: string | undefined, filter: SqlFilter | undefined) =>
    `mailbox = ?${folder === undefined ? '' : ' AND folder = ?'}${filter ? ` AND (${filter.sql})` : ''}`
  const params = (mailbox: string, folder: string | undefined, filter: SqlFilter | undefined) => [
    mailbox,
    ...(folder === undefined ? [] : [folder]),
    ...(filter?.params ?? []),
  ]
  return {
    /** A page of a mailbox (or folder) matching `filter`, in `order`. */
    query(
      mailbox: string,
      folder: string | undefined,
      filter: SqlFilter | undefined,
      order: OrderBy,
      top: number,
      skip: number,
    ): MessageRecord[] {
      const direction = order.descending ? 'DESC' : 'ASC'
      const sql = `SELECT data FROM graph_messages WHERE ${where(folder, filter)}
        ORDER BY ${COLUMN[order.field]} ${direction}, seq ${direction} LIMIT ? OFFSET ?`
      const rows = statement(sql).all(...params(mailbox, folder, filter), top, skip)
      return rows.map((found) => parseMessage(found)!)
    },
    count(mailbox: string, folder: string | undefined, filter: SqlFilter | undefined): number {
      const sql = `SELECT count(*) AS n FROM graph_messages WHERE ${where(folder, filter)}`
      return (statement(sql).get(...params(mailbox, folder, filter)) as { n: number }).n
    },
  }
}

function attachmentMethods(q: Statements) {
  const withBytes = (row: unknown) => {
    if (!row) return undefined
    const { data, bytes } = row as { data: string; bytes: Uint8Array }
    return { ...(JSON.parse(data) as AttachmentMeta), bytes }
  }
  return {
    addAttachment(attachment: AttachmentRecord): void {
      const { bytes, ...meta } = attachment
      q.insertAttachment.run(attachment.id, attachment.messageId, JSON.stringify(meta), bytes)
    },
    attachments: (messageId: string) => q.attachments.all(messageId).map((row) => withBytes(row)!),
    /** Without their bytes. */
    attachmentList: (messageId: string) =>
      q.attachmentMeta
        .all(messageId)
        .map((row) => JSON.parse((row as { data: string }).data) as AttachmentMeta),
    attachment: (messageId: string, id: string) => withBytes(q.attachment.get(id, messageId)),
  }
}

function uploadSessionMethods(q: Statements) {
  return {
    putSession: (session: UploadSession) =>
      void q.putSession.run(session.id, JSON.stringify(session)),
    session(id: string): UploadSession | undefined {
      const row = q.session.get(id) as { data: string } | undefined
      return row ? (JSON.parse(row.data) as UploadSession) : undefined
    },
    putChunk: (sessionId: string, start: number, bytes: Uint8Array) =>
      void q.putChunk.run(sessionId, start, bytes),
    /** The uploaded bytes, in order; the session and its chunks are deleted. */
    takeChunks(sessionId: string): Buffer {
      const parts = (q.chunks.all(sessionId) as { bytes: Uint8Array }[]).map((row) => row.bytes)
      q.deleteChunks.run(sessionId)
      q.deleteSession.run(sessionId)
      return Buffer.concat(parts)
    },
    deleteSession(sessionId: string): void {
      q.deleteChunks.run(sessionId)
      q.deleteSession.run(sessionId)
    },
  }
}

/** The mail store's statements, prepared once. */
function prepareStatements(db: DatabaseSync) {
  return {
    insert:
      db.prepare(`INSERT INTO graph_messages (id, mailbox, folder, received, sent, subject, is_read, data)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
    update: db.prepare(
      'UPDATE graph_messages SET folder = ?, received = ?, sent = ?, subject = ?, is_read = ?, data = ? WHERE id = ?',
    ),
    get: db.prepare(
      "SELECT data FROM graph_messages WHERE (id = ? OR json_extract(data, '$.immutableId') = ?) AND mailbox = ?",
    ),
    getAny: db.prepare(
      "SELECT data FROM graph_messages WHERE id = ? OR json_extract(data, '$.immutableId') = ? LIMIT 1",
    ),
    delete: db.prepare('DELETE FROM graph_messages WHERE id = ?'),
    counts:
      db.prepare(`SELECT folder, count(*) AS total, sum(is_read = 0) AS unread FROM graph_messages
      WHERE mailbox = ? GROUP BY folder`),
    mailboxes: db.prepare('SELECT DISTINCT mailbox FROM graph_messages'),
    everything: db.prepare('SELECT data FROM graph_messages ORDER BY received DESC, seq DESC'),
    totals: db.prepare(
      'SELECT count(*) AS total, coalesce(sum(is_read = 0), 0) AS unread FROM graph_messages',
    ),
    deleteMailbox: db.prepare('DELETE FROM graph_messages WHERE mailbox = ?'),
    deleteMailboxAttachments: db.prepare(
      'DELETE FROM graph_attachments WHERE message_id IN (SELECT id FROM graph_messages WHERE mailbox = ?)',
    ),
    insertAttachment: db.prepare(
      'INSERT INTO graph_attachments (id, message_id, data, bytes) VALUES (?, ?, ?, ?)',
    ),
    attachments: db.prepare(
      'SELECT data, bytes FROM graph_attachments WHERE message_id = ? ORDER BY seq',
    ),
    attachmentMeta: db.prepare(
      'SELECT data FROM graph_attachments WHERE message_id = ? ORDER BY seq',
    ),
    attachment: db.prepare(
      'SELECT data, bytes FROM graph_attachments WHERE id = ? AND message_id = ?',
    ),
    deleteAttachments: db.prepare('DELETE FROM graph_attachments WHERE message_id = ?'),
    putSession: db.prepare(
      'INSERT INTO graph_upload_sessions (id, data) VALUES (?, ?) ON CONFLICT DO UPDATE SET data = excluded.data',
    ),
    session: db.prepare('SELECT data FROM graph_upload_sessions WHERE id = ?'),
    deleteSession: db.prepare('DELETE FROM graph_upload_sessions WHERE id = ?'),
    putChunk: db.prepare(
      'INSERT INTO graph_upload_chunks (session_id, start, bytes) VALUES (?, ?, ?)',
    ),
    chunks: db.prepare('SELECT bytes FROM graph_upload_chunks WHERE session_id = ? ORDER BY start'),
    deleteChunks: db.prepare('DELETE FROM graph_upload_chunks WHERE session_id = ?'),
    begin: db.prepare('BEGIN'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
  }
}
