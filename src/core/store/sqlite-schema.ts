/** The SQLite store's one table: `migrate` creates or upgrades it, `prepareStatements` prepares every query on it. */
import type { DatabaseSync, StatementSync } from 'node:sqlite'

// Schema version 1 (user_version): a rowid table with expires_at before the value, so a large value (a token cache)
// stays in its table page instead of spilling into overflow pages as it does in a WITHOUT ROWID table. A file of
// schema version 0 (that WITHOUT ROWID table) is migrated in place when it is opened: live rows copied, expired ones
// dropped.
const SCHEMA_VERSION = 1
const SCHEMA = `
  CREATE TABLE entries (
    key TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL, -- Unix milliseconds
    value TEXT NOT NULL
  );
  CREATE INDEX entries_expires_at ON entries (expires_at);`

/** Every query of the store, prepared once. */
export interface Statements {
  get: StatementSync
  set: StatementSync
  delete: StatementSync
  take: StatementSync
  setIfAbsent: StatementSync
  increment: StatementSync
  purge: StatementSync
}

/** Creates or upgrades the schema in one immediate transaction, which also takes the file's exclusive lock. */
export function migrate(database: DatabaseSync): void {
  database.exec('BEGIN IMMEDIATE')
  try {
    const { user_version: version } = database.prepare('PRAGMA user_version').get() as {
      user_version: number
    }
    if (version < SCHEMA_VERSION) upgrade(database)
    database.exec('COMMIT')
  } catch (error) {
    database.exec('ROLLBACK')
    throw error
  }
}

function upgrade(database: DatabaseSync): void {
  const existing =
    database
      .prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'entries'")
      .get() !== undefined
  // The index moves with a renamed table: dropped first so that the new table gets its own under the same name.
  if (existing)
    database.exec(
      'DROP INDEX IF EXISTS entries_expires_at; ALTER TABLE entries RENAME TO entries_v0;',
    )
  database.exec(SCHEMA)
  if (existing) {
    database
      .prepare(
        'INSERT INTO entries (key, expires_at, value) SELECT key, expires_at, value FROM entries_v0 WHERE expires_at > ?',
      )
      .run(Date.now())
    database.exec('DROP TABLE entries_v0')
  }
  database.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`)
}

export function prepareStatements(database: DatabaseSync): Statements {
  return {
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
}
