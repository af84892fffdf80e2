/** The SQLite store: schema migration, one process per file, values answered from memory behave as the file. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { AppError } from '../errors.ts'
import { createSqliteStore } from './sqlite-store.ts'

// The schema and writes of the first release (schema version 0), verbatim: a data folder it left must keep working.
const VERSION_0_SCHEMA = `
  CREATE TABLE IF NOT EXISTS entries (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    expires_at INTEGER NOT NULL -- Unix milliseconds
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS entries_expires_at ON entries (expires_at);`

function writeVersion0(
  path: string,
  rows: [key: string, value: unknown, expiresAt: number][],
): void {
  const database = new DatabaseSync(path)
  database.exec(
    'PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 2000;',
  )
  database.exec(VERSION_0_SCHEMA)
  const set = database.prepare(
    'INSERT OR REPLACE INTO entries (key, value, expires_at) VALUES (?, ?, ?)',
  )
  for (const [key, value, expiresAt] of rows)
    set.run(
      key,
      typeof value === 'string' && key.startsWith('rl:') ? value : JSON.stringify(value),
      expiresAt,
    )
  database.close()
}

function schemaOf(path: string) {
  const database = new DatabaseSync(path, { readOnly: true })
  try {
    return {
      version: (database.prepare('PRAGMA user_version').get() as { user_version: number })
        .user_version,
      objects: database
        .prepare(
          "SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .all() as { type: string; name: string; tbl_name: string; sql: string }[],
      plan: (
        database.prepare('EXPLAIN QUERY PLAN DELETE FROM entries WHERE expires_at <= ?').all(0) as {
          detail: string
        }[]
      )
        .map((row) => row.detail)
        .join(' '),
    }
  } finally {
    database.close()
  }
}

test('a data folder from the first release (WITHOUT ROWID, version 0) is migrated on open: live rows kept, expired dropped', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'gc-sqlite-')), 'graph-connect.sqlite')
  const later = Date.now() + 3_600_000
  const session = {
    createdAt: 1,
    lastSeenAt: 2,
    csrf: 'c'.repeat(43),
    user: {
      name: 'Adèle',
      partition: 'p'.repeat(43),
      hasPhoto: true,
      account: { homeAccountId: 'oid.tid' },
    },
  }
  const tokenCache = `v1.${'A'.repeat(10_400)}` // a sealed token cache is ~7.8 KB of base64url and more
  writeVersion0(path, [
    ['sess:live', session, later],
    ['tokencache:p', tokenCache, later],
    ['rl:signin:127.0.0.1', '3', later],
    ['sess:expired', session, Date.now() - 1000],
  ])

  const store = createSqliteStore(path)
  try {
    assert.deepEqual(await store.get('sess:live'), session)
    assert.equal(await store.get('tokencache:p'), tokenCache)
    assert.equal(
      await store.increment('rl:signin:127.0.0.1', 60),
      4,
      'a counter keeps its count and window',
    )
    assert.equal(await store.get('sess:expired'), undefined)
    assert.equal(await store.take('tokencache:p'), tokenCache)
    assert.equal(await store.get('tokencache:p'), undefined)
    assert.equal(await store.setIfAbsent('sess:expired', 'new', 60), true)
    await store.set('sess:live', { ...session, lastSeenAt: 3 }, 60)
    assert.equal((await store.get<typeof session>('sess:live'))?.lastSeenAt, 3)
  } finally {
    await store.close()
  }

  const { version, objects, plan } = schemaOf(path)
  assert.equal(version, 1)
  assert.deepEqual(
    objects.map(({ type, name, tbl_name }) => [type, name, tbl_name]),
    [
      ['table', 'entries', 'entries'],
      ['index', 'entries_expires_at', 'entries'],
    ],
  )
  assert.doesNotMatch(objects[0]!.sql, /WITHOUT ROWID/i)
  assert.match(plan, /entries_expires_at/, 'the purge uses the index on the new table')

  const reopened = createSqliteStore(path) // opening a migrated file again changes nothing
  try {
    assert.equal((await reopened.get<typeof session>('sess:live'))?.lastSeenAt, 3)
    assert.equal(await reopened.get('sess:expired'), 'new')
  } finally {
    await reopened.close()
  }
  assert.deepEqual(schemaOf(path).objects, objects)
})

test('a new data folder starts at the current schema', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'gc-sqlite-')), 'new', 'graph-connect.sqlite')
  const store = createSqliteStore(path)
  await store.set('k', { v: 1 }, 60)
  assert.deepEqual(await store.get('k'), { v: 1 })
  await store.close()
  const { version, objects } = schemaOf(path)
  assert.equal(version, 1)
  assert.deepEqual(
    objects.map(({ name }) => name),
    ['entries', 'entries_expires_at'],
  )
})

test('one process per SQLite file: a second process is refused, naming the holder and the fix, and opens once the first has closed', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'gc-sqlite-')), 'graph-connect.sqlite')
  const holder = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `
    const { createSqliteStore } = await import(${JSON.stringify(new URL('./sqlite-store.ts', import.meta.url).href)})
    const store = createSqliteStore(${JSON.stringify(path)})
    await store.set('held', 1, 60)
    process.stdout.write('ready\\n')
    process.stdin.on('end', async () => { await store.close(); process.exit(0) }).resume()`,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  )
  try {
    await once(holder.stdout, 'data')
    assert.throws(
      () => createSqliteStore(path),
      (error: unknown) => {
        assert.ok(error instanceof AppError)
        assert.equal(error.code, 'ERR_STORE_UNAVAILABLE')
        assert.match(
          error.message,
          new RegExp(
            `${path.replaceAll('/', '\\/')} is in use by process ${holder.pid} \\(.*--input-type=module`,
          ),
          'the holder is named, with its command line',
        )
        assert.match(error.message, /SQLITE_PATH/)
        assert.match(error.message, /REDIS_URL/)
        return true
      },
    )
  } finally {
    holder.stdin.end()
    await once(holder, 'exit')
  }
  assert.equal(existsSync(`${path}.pid`), false, 'the holder removed its pid file on close')
  const store = createSqliteStore(path)
  try {
    assert.equal(await store.get('held'), 1)
  } finally {
    await store.close()
  }
})

test('values kept in memory behave as the file: own copies, every write and delete seen, expiry honoured', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'gc-sqlite-')), 'graph-connect.sqlite')
  const store = createSqliteStore(path)
  try {
    await store.set('sess:a', { user: { name: 'Adèle' }, n: 1 }, 60)
    const first = await store.get<{ user: { name: string }; n: number }>('sess:a')
    first!.user.name = 'changed by a caller'
    assert.deepEqual(
      await store.get('sess:a'),
      { user: { name: 'Adèle' }, n: 1 },
      'a caller mutating its copy changes nothing stored',
    )
    await store.set('sess:a', { n: 2 }, 60)
    assert.deepEqual(await store.get('sess:a'), { n: 2 })
    assert.equal(await store.setIfAbsent('sess:a', { n: 3 }, 60), false)
    assert.deepEqual(await store.get('sess:a'), { n: 2 })
    assert.deepEqual(await store.take('sess:a'), { n: 2 })
    assert.equal(await store.get('sess:a'), undefined)
    assert.equal(await store.setIfAbsent('sess:a', { n: 4 }, 60), true)
    assert.deepEqual(await store.get('sess:a'), { n: 4 })
    await store.delete('sess:a')
    assert.equal(await store.get('sess:a'), undefined)
    await store.set('short', 'x', 0.05)
    assert.equal(await store.get('short'), 'x')
    await new Promise((resolve) => setTimeout(resolve, 80))
    assert.equal(await store.get('short'), undefined, 'an expired value is not served from memory')
  } finally {
    await store.close()
  }
  const reopened = createSqliteStore(path) // and the file holds what memory held
  try {
    assert.equal(await reopened.get('sess:a'), undefined)
  } finally {
    await reopened.close()
  }
})
