/** Identity state in SQLite: in-flight sign-ins, SSO sessions, codes, refresh tokens, device codes, revocations. */
import { createHash, randomBytes } from 'node:crypto'
import type { DatabaseSync } from 'node:sqlite'

export type RecordKind =
  'flow' | 'session' | 'code' | 'refresh' | 'device' | 'user-code' | 'revoked-at'

export interface IdentityStore {
  put(kind: RecordKind, id: string, data: unknown, keepSeconds: number): void
  get<T>(kind: RecordKind, id: string): T | undefined
  delete(kind: RecordKind, id: string): void
  all<T>(kind: RecordKind): T[]
  /** The unexpired ids of a kind with their purge time (epoch ms). */
  ids(kind: RecordKind): [string, number][]
  clear(): void
}

const SCHEMA = `CREATE TABLE IF NOT EXISTS identity_records (kind TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL,
  purge_at INTEGER NOT NULL, PRIMARY KEY (kind, id)) WITHOUT ROWID;`

/** Records are kept for `keepSeconds` (longer than their protocol lifetime, so "expired" differs from "unknown"). */
export function createIdentityStore(db: DatabaseSync): IdentityStore {
  db.exec(SCHEMA)
  const q = {
    put: db.prepare(`INSERT INTO identity_records (kind, id, data, purge_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (kind, id) DO UPDATE SET data = excluded.data, purge_at = excluded.purge_at`),
    get: db.prepare('SELECT data FROM identity_records WHERE kind = ? AND id = ? AND purge_at > ?'),
    delete: db.prepare('DELETE FROM identity_records WHERE kind = ? AND id = ?'),
    all: db.prepare('SELECT data FROM identity_records WHERE kind = ? AND purge_at > ?'),
    ids: db.prepare('SELECT id, purge_at FROM identity_records WHERE kind = ? AND purge_at > ?'),
    purge: db.prepare('DELETE FROM identity_records WHERE purge_at <= ?'),
  }
  let writes = 0
  return {
    put(kind, id, data, keepSeconds) {
      q.put.run(kind, id, JSON.stringify(data), Date.now() + keepSeconds * 1000)
      if (++writes % 500 === 0) q.purge.run(Date.now())
    },
    get<T>(kind: RecordKind, id: string) {
      const row = q.get.get(kind, id, Date.now()) as { data: string } | undefined
      return row ? (JSON.parse(row.data) as T) : undefined
    },
    delete: (kind, id) => void q.delete.run(kind, id),
    all: <T>(kind: RecordKind) =>
      (q.all.all(kind, Date.now()) as { data: string }[]).map((row) => JSON.parse(row.data) as T),
    ids: (kind) =>
      (q.ids.all(kind, Date.now()) as { id: string; purge_at: number }[]).map((row) => [
        row.id,
        row.purge_at,
      ]),
    clear: () => db.exec('DELETE FROM identity_records'),
  }
}

/** An opaque random identifier (base64url). */
export const randomId = (bytes = 32) => randomBytes(bytes).toString('base64url')

/** Codes and refresh tokens are stored under their hash, never in clear. */
export const hashId = (value: string) => createHash('sha256').update(value).digest('base64url')
