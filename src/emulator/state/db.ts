// The emulator's SQLite database: one file under the data folder, or in memory (private to the emulator) for tests.
import { randomUUID } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'

export function openDatabase(dataDir?: string): DatabaseSync {
  // Without a data folder: a private database in SQLite's memdb VFS (the sqlite3_deserialize store: one growable buffer),
  // not ':memory:'. Both live in RAM and vanish on close, but ':memory:' commits got slower as the database grew whenever
  // a transaction wrote at a random place of an index (message ids, hashed codes): a sendMail delivery went from ~25 µs
  // to ~300 µs at 160,000 stored messages, an identity-record write to ~120 µs. memdb stays at ~25 µs. Its ceiling is
  // SQLite's default memdb size, 1 GiB (about 300,000 sent mails with their Sent Items copies); use a data folder beyond.
  if (!dataDir) return new DatabaseSync(`file:emulator-${randomUUID()}?vfs=memdb`)
  mkdirSync(dataDir, { recursive: true })
  const db = new DatabaseSync(join(dataDir, 'emulator.sqlite'))
  db.exec(
    'PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;',
  )
  return db
}
