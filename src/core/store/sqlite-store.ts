/** `createSqliteStore`: the embedded default Store (node:sqlite); sessions survive restarts. One process per file. */
import { dirname } from 'node:path'
import { ownerOnlyFile, ownerOnlyFolder } from '../owner-only.ts'
import { DatabaseSync } from 'node:sqlite'
import { AppError } from '../errors.ts'
import { holdLock, lockHolder } from './lock-holder.ts'
import { createRecentValues, type RecentValues } from './recent-values.ts'
import { migrate, prepareStatements, type Statements } from './sqlite-schema.ts'
import { storeUnavailable, ttlMilliseconds, type Store } from './store.ts'

const PURGE_INTERVAL_MS = 60_000 // expired rows are invisible at once and deleted every minute
const RECENT_VALUES_BYTES = 4 * 2 ** 20 // 4 MiB of JSON text kept for repeated reads (sessions, token caches)

/** A row as the get and take statements return it. */
interface Row {
  value: string
  expires_at: number
}

/** One open file: its statements and the values recently read or written. */
interface SqliteFile {
  database: DatabaseSync
  statements: Statements
  recent: RecentValues
}

/**
 * Opens (or creates) the SQLite file with WAL and prepared statements, and purges expired rows every minute. The file
 * is locked from open to close: a second process on it refuses to start, and, with no other writer possible, recently
 * read or written values are answered from memory (recent-values.ts).
 */
export function createSqliteStore(path: string): Store {
  const database = openDatabase(path)
  const lock = path === ':memory:' ? undefined : holdLock(path)
  const file: SqliteFile = {
    database,
    statements: prepareStatements(database),
    recent: createRecentValues(RECENT_VALUES_BYTES),
  }
  const purge = setInterval(
    () => run(() => file.statements.purge.run(Date.now())),
    PURGE_INTERVAL_MS,
  ).unref()
  return {
    get: (key) => get(file, key),
    set: (key, value, ttlSeconds) => set(file, key, value, ttlSeconds),
    delete: (key) => remove(file, key),
    take: (key) => take(file, key),
    setIfAbsent: (key, value, ttlSeconds) => setIfAbsent(file, key, value, ttlSeconds),
    increment: (key, ttlSeconds) => increment(file, key, ttlSeconds),
    async ping() {
      run(() => database.prepare('SELECT 1').get())
    },
    async close() {
      clearInterval(purge)
      file.recent.clear()
      if (database.isOpen) database.close()
      lock?.release()
    },
  }
}

/** The file opened, its schema current and its lock taken; ERR_STORE_UNAVAILABLE when another process holds it. */
function openDatabase(path: string): DatabaseSync {
  if (path !== ':memory:') {
    ownerOnlyFolder(dirname(path))
    ownerOnlyFile(path) // sessions and sealed token caches: for this user's eyes only (SE-19)
  }
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
      message: `The SQLite file ${path} is in use by ${lockHolder(path) ?? 'another process'}: one Graph Connect process per SQLite file. Stop the other process, set SQLITE_PATH to another file, or set STORE=redis and REDIS_URL to run several instances on one store.`,
    })
  }
  return database
}

function run<T>(operation: () => T): T {
  try {
    return operation()
  } catch (error) {
    throw storeUnavailable(error)
  }
}

/** Every value is parsed from its JSON text on each read: callers get their own copy, as from the file. */
async function get<T>(file: SqliteFile, key: string): Promise<T | undefined> {
  const now = Date.now()
  let json = file.recent.get(key, now)
  if (json === undefined) {
    const row = run(() => file.statements.get.get(key, now)) as Row | undefined
    if (!row) return undefined
    json = row.value
    file.recent.set(key, json, row.expires_at)
  }
  return JSON.parse(json) as T
}

async function set(file: SqliteFile, key: string, value: unknown, ttlSeconds: number) {
  const expiresAt = Date.now() + ttlMilliseconds(ttlSeconds)
  const json = JSON.stringify(value)
  file.recent.delete(key) // gone from memory first: a failed write leaves nothing stale behind
  run(() => file.statements.set.run(key, json, expiresAt))
  file.recent.set(key, json, expiresAt)
}

async function remove(file: SqliteFile, key: string): Promise<void> {
  file.recent.delete(key)
  run(() => file.statements.delete.run(key))
}

async function take<T>(file: SqliteFile, key: string): Promise<T | undefined> {
  file.recent.delete(key)
  const row = run(() => file.statements.take.get(key)) as Row | undefined
  return row && row.expires_at > Date.now() ? (JSON.parse(row.value) as T) : undefined
}

async function setIfAbsent(file: SqliteFile, key: string, value: unknown, ttlSeconds: number) {
  const now = Date.now()
  const expiresAt = now + ttlMilliseconds(ttlSeconds)
  const json = JSON.stringify(value)
  const result = run(() => file.statements.setIfAbsent.run(key, json, expiresAt, now))
  if (result.changes !== 1) return false
  file.recent.set(key, json, expiresAt)
  return true
}

async function increment(file: SqliteFile, key: string, ttlSeconds: number): Promise<number> {
  const now = Date.now()
  file.recent.delete(key) // counters are read through increment() only
  const row = run(() =>
    file.statements.increment.get(key, now + ttlMilliseconds(ttlSeconds), now, now),
  ) as { value: string }
  return Number(row.value)
}
