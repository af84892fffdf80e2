/** openDatabase: the emulator's SQLite database, one file under the data folder or private in memory. */
import { randomUUID } from 'node:crypto'
import { closeSync, mkdirSync, openSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'

export function openDatabase(dataDir?: string): DatabaseSync {
  // Without a data folder: a private database in SQLite's memdb VFS (one growable buffer), not ':memory:'. Both live in
  // RAM and vanish on close, but ':memory:' commits slow down as the database grows whenever a transaction writes at a
  // random place of an index (message ids, hashed codes); memdb's do not. Its ceiling is SQLite's default memdb size,
  // 1 GiB; use a data folder beyond.
  if (!dataDir) return new DatabaseSync(`file:emulator-${randomUUID()}?vfs=memdb`)
  // Owner-only, like the app's store beside it: mail bodies and the users' data stay this user's (SE-19).
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const file = join(dataDir, 'emulator.sqlite')
  closeSync(openSync(file, 'a', 0o600))
  const db = new DatabaseSync(file)
  db.exec(
    'PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;',
  )
  return db
}
