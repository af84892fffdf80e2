// The emulator's SQLite database: one file under the data folder, or in memory for tests.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'

export function openDatabase(dataDir?: string): DatabaseSync {
  if (!dataDir) return new DatabaseSync(':memory:')
  mkdirSync(dataDir, { recursive: true })
  const db = new DatabaseSync(join(dataDir, 'emulator.sqlite'))
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;')
  return db
}
