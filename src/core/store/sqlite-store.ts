/** SQLite Store (node:sqlite): the embedded default; sessions survive restarts. WAL, prepared statements, purge. */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { storeUnavailable, ttlMilliseconds, type Store } from './store.ts'

const PURGE_INTERVAL_MS = 60_000 // expired rows are invisible at once and deleted every minute

// Version 1 (user_version): a rowid table, expires_at before the value. Version 0 (the first release) was WITHOUT ROWID,
// which keeps at most ~1 KB of a row in its b-tree page: a ~7.8 KB token cache spilled into seven overflow pages on
// every read and write. A version-0 file is migrated in place when it is opened (live rows copied, expired ones dropped).
const SCHEMA_VERSION = 1
const SCHEMA = `
  CREATE TABLE entries (
    key TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL, -- Unix milliseconds
    value TEXT NOT NULL
  );
  CREATE INDEX entries_expires_at ON entries (expires_at);`

/** Creates or upgrades the schema in one immediate transaction (two processes opening one file at once wait in turn). */
function migrate(database: DatabaseSync): void {
  database.exec('BEGIN IMMEDIATE')
  try {
    const { user_version: version } = database.prepare('PRAGMA user_version').get() as { user_version: number }
    if (version < SCHEMA_VERSION) {
      const legacy = database.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'entries'").get() !== undefined
      // The index moves with a renamed table: dropped first so that the new table gets its own under the same name.
      if (legacy) database.exec('DROP INDEX IF EXISTS entries_expires_at; ALTER TABLE entries RENAME TO entries_v0;')
      database.exec(SCHEMA)
      if (legacy) {
        database.prepare('INSERT INTO entries (key, expires_at, value) SELECT key, expires_at, value FROM entries_v0 WHERE expires_at > ?').run(Date.now())
        database.exec('DROP TABLE entries_v0')
      }
      database.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`)
    }
    database.exec('COMMIT')
  } catch (error) {
    database.exec('ROLLBACK')
    throw error
  }
}

export function createSqliteStore(path: string): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const database = new DatabaseSync(path)
  database.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 2000;')
  migrate(database)
  const statements = {
    get: database.prepare('SELECT value FROM entries WHERE key = ? AND expires_at > ?'),
    // An upsert updates the row in place (INSERT OR REPLACE deletes it and inserts a new rowid).
    set: database.prepare(`INSERT INTO entries (key, value, expires_at) VALUES (?, ?, ?)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`),
    delete: database.prepare('DELETE FROM entries WHERE key = ?'),
    take: database.prepare('DELETE FROM entries WHERE key = ? RETURNING value, expires_at'),
    setIfAbsent: database.prepare(`INSERT INTO entries (key, value, expires_at) VALUES (?, ?, ?)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at WHERE entries.expires_at <= ?`),
    increment: database.prepare(`INSERT INTO entries (key, value, expires_at) VALUES (?, '1', ?)
      ON CONFLICT (key) DO UPDATE SET
        value = CASE WHEN entries.expires_at <= ? THEN '1' ELSE CAST(CAST(entries.value AS INTEGER) + 1 AS TEXT) END,
        expires_at = CASE WHEN entries.expires_at <= ? THEN excluded.expires_at ELSE entries.expires_at END
      RETURNING value`),
    purge: database.prepare('DELETE FROM entries WHERE expires_at <= ?'),
  }
  const purge = setInterval(() => run(() => statements.purge.run(Date.now())), PURGE_INTERVAL_MS).unref()

  function run<T>(operation: () => T): T {
    try {
      return operation()
    } catch (error) {
      throw storeUnavailable(error)
    }
  }

  return {
    async get<T>(key: string) {
      const row = run(() => statements.get.get(key, Date.now())) as { value: string } | undefined
      return row ? (JSON.parse(row.value) as T) : undefined
    },
    async set(key, value, ttlSeconds) {
      const expiresAt = Date.now() + ttlMilliseconds(ttlSeconds)
      run(() => statements.set.run(key, JSON.stringify(value), expiresAt))
    },
    async delete(key) {
      run(() => statements.delete.run(key))
    },
    async take<T>(key: string) {
      const row = run(() => statements.take.get(key)) as { value: string; expires_at: number } | undefined
      return row && row.expires_at > Date.now() ? (JSON.parse(row.value) as T) : undefined
    },
    async setIfAbsent(key, value, ttlSeconds) {
      const now = Date.now()
      const result = run(() => statements.setIfAbsent.run(key, JSON.stringify(value), now + ttlMilliseconds(ttlSeconds), now))
      return result.changes === 1
    },
    async increment(key, ttlSeconds) {
      const now = Date.now()
      const row = run(() => statements.increment.get(key, now + ttlMilliseconds(ttlSeconds), now, now)) as { value: string }
      return Number(row.value)
    },
    async ping() {
      run(() => database.prepare('SELECT 1').get())
    },
    async close() {
      clearInterval(purge)
      if (database.isOpen) database.close()
    },
  }
}
