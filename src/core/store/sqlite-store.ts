/** `createSqliteStore`: the embedded default Store (node:sqlite); sessions survive restarts. One process per file. */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { AppError } from '../errors.ts'
import { createRecentValues } from './recent-values.ts'
import { storeUnavailable, ttlMilliseconds, type Store } from './store.ts'

const PURGE_INTERVAL_MS = 60_000 // expired rows are invisible at once and deleted every minute
const RECENT_VALUES_BYTES = 4 * 2 ** 20 // 4 MiB of JSON text kept for repeated reads (sessions, token caches)

// Schema version 1 (user_version): a rowid table, expires_at before the value, so a large value (a token cache) stays
// in its table page instead of spilling into overflow pages as in a WITHOUT ROWID table (schema version 0). A version-0
// file is migrated in place when it is opened (live rows copied, expired ones dropped).
const SCHEMA_VERSION = 1
const SCHEMA = `
  CREATE TABLE entries (
    key TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL, -- Unix milliseconds
    value TEXT NOT NULL
  );
  CREATE INDEX entries_expires_at ON entries (expires_at);`

/** Creates or upgrades the schema in one immediate transaction, which also takes the file's exclusive lock. */
function migrate(database: DatabaseSync): void {
  database.exec('BEGIN IMMEDIATE')
  try {
    const { user_version: version } = database.prepare('PRAGMA user_version').get() as {
      user_version: number
    }
    if (version < SCHEMA_VERSION) {
      const legacy =
        database
          .prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'entries'")
          .get() !== undefined
      // The index moves with a renamed table: dropped first so that the new table gets its own under the same name.
      if (legacy)
        database.exec(
          'DROP INDEX IF EXISTS entries_expires_at; ALTER TABLE entries RENAME TO entries_v0;',
        )
      database.exec(SCHEMA)
      if (legacy) {
        database
          .prepare(
            'INSERT INTO entries (key, expires_at, value) SELECT key, expires_at, value FROM entries_v0 WHERE expires_at > ?',
          )
          .run(Date.now())
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

/**
 * Opens (or creates) the SQLite file with WAL and prepared statements, and purges expired rows every minute. The file
 * is locked from open to close: a second process on it refuses to start, and, with no other writer possible, recently
 * read or written values are answered from memory (recent-values.ts).
 */
export function createSqliteStore(path: string): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const database = new DatabaseSync(path)
  // EXCLUSIVE before WAL: the WAL index lives in this process's memory (no -shm file, no file-lock system calls per
  // transaction), and the lock taken by migrate() is held until close().
  try {
    database.exec(
      'PRAGMA locking_mode = EXCLUSIVE; PRAGMA busy_timeout = 2000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;',
    )
    migrate(database)
  } catch (error) {
    database.close()
    if ((error as { errcode?: number }).errcode !== 5 /* SQLITE_BUSY */) throw error
    throw new AppError('ERR_STORE_UNAVAILABLE', {
      cause: error,
      message: `The SQLite file ${path} is in use by another process: one Graph Connect process per SQLite file. Stop the other process, set SQLITE_PATH to another file, or set REDIS_URL to run several instances on one store.`,
    })
  }
  const recent = createRecentValues(RECENT_VALUES_BYTES)
  const statements = {
    get: database.prepare('SELECT value, expires_at FROM entries WHERE key = ? AND expires_at > ?'),
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
  const purge = setInterval(
    () => run(() => statements.purge.run(Date.now())),
    PURGE_INTERVAL_MS,
  ).unref()

  function run<T>(operation: () => T): T {
    try {
      return operation()
    } catch (error) {
      throw storeUnavailable(error)
    }
  }

  return {
    // Every value is parsed from its JSON text on each read: callers get their own copy, as from the file.
    async get<T>(key: string) {
      const now = Date.now()
      let json = recent.get(key, now)
      if (json === undefined) {
        const row = run(() => statements.get.get(key, now)) as
          { value: string; expires_at: number } | undefined
        if (!row) return undefined
        json = row.value
        recent.set(key, json, row.expires_at)
      }
      return JSON.parse(json) as T
    },
    async set(key, value, ttlSeconds) {
      const expiresAt = Date.now() + ttlMilliseconds(ttlSeconds)
      const json = JSON.stringify(value)
      recent.delete(key) // gone from memory first: a failed write leaves nothing stale behind
      run(() => statements.set.run(key, json, expiresAt))
      recent.set(key, json, expiresAt)
    },
    async delete(key) {
      recent.delete(key)
      run(() => statements.delete.run(key))
    },
    async take<T>(key: string) {
      recent.delete(key)
      const row = run(() => statements.take.get(key)) as
        { value: string; expires_at: number } | undefined
      return row && row.expires_at > Date.now() ? (JSON.parse(row.value) as T) : undefined
    },
    async setIfAbsent(key, value, ttlSeconds) {
      const now = Date.now()
      const expiresAt = now + ttlMilliseconds(ttlSeconds)
      const json = JSON.stringify(value)
      const result = run(() => statements.setIfAbsent.run(key, json, expiresAt, now))
      if (result.changes !== 1) return false
      recent.set(key, json, expiresAt)
      return true
    },
    async increment(key, ttlSeconds) {
      const now = Date.now()
      recent.delete(key) // counters are read through increment() only
      const row = run(() =>
        statements.increment.get(key, now + ttlMilliseconds(ttlSeconds), now, now),
      ) as { value: string }
      return Number(row.value)
    },
    async ping() {
      run(() => database.prepare('SELECT 1').get())
    },
    async close() {
      clearInterval(purge)
      recent.clear()
      if (database.isOpen) database.close()
    },
  }
}
