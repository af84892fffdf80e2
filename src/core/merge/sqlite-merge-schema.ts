/** The SQLite merge journal's tables: `migrateMergeJournal` creates them, or brings an older file's up to date. */
import type { DatabaseSync } from 'node:sqlite'
import { ACTIVE_STATES_SQL } from './journal-rules.ts'

// Times are Unix milliseconds. The send and recipient windows are counted from merge_sends, one entry per send attempt
// across every job in the file: Exchange counts a resend (after a 429, or after reconciliation) as a send of its own, so
// counting rows would undercount. The covering index answers that count without reading the table. merge_slots holds
// the request slots taken, so that a writer started after one killed with SIGKILL counts the requests Graph may still be
// processing until they can no longer be in flight. The owner index covers only rows still being worked on, so renew()
// and release() stay small however large the job. send_started_at (the last attempt) is kept for the report.
const SCHEMA_VERSION = 2
const VERSION_1 = `
  CREATE TABLE merge_jobs (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    spec TEXT NOT NULL, -- JSON: template, senders, mode, limits, connection, source
    rows INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE merge_rows (
    job TEXT NOT NULL,
    row INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    mailbox TEXT NOT NULL,
    recipients INTEGER NOT NULL,
    owner TEXT,
    lease_until INTEGER,
    send_started_at INTEGER,
    draft_id TEXT,
    internet_message_id TEXT,
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL,
    data TEXT NOT NULL, -- JSON columns of the source row; last, the largest
    PRIMARY KEY (job, row)
  );
  CREATE INDEX merge_rows_state ON merge_rows (job, state, row);
  CREATE INDEX merge_rows_sends ON merge_rows (mailbox, send_started_at, recipients)
    WHERE send_started_at IS NOT NULL;
  CREATE INDEX merge_rows_owner ON merge_rows (owner)
    WHERE owner IS NOT NULL AND state IN ${ACTIVE_STATES_SQL};`
// A version-1 file's windows were counted from its rows: their last attempts become the log's first entries.
const VERSION_2 = `
  CREATE TABLE merge_sends (
    mailbox TEXT NOT NULL,
    at INTEGER NOT NULL,
    recipients INTEGER NOT NULL
  );
  CREATE INDEX merge_sends_window ON merge_sends (mailbox, at, recipients);
  INSERT INTO merge_sends (mailbox, at, recipients)
    SELECT mailbox, send_started_at, recipients FROM merge_rows WHERE send_started_at IS NOT NULL;
  DROP INDEX merge_rows_sends;
  CREATE TABLE merge_slots (
    id INTEGER PRIMARY KEY,
    mailbox TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE TABLE merge_pauses (
    mailbox TEXT PRIMARY KEY,
    until INTEGER NOT NULL
  );`
const MIGRATIONS = [VERSION_1, VERSION_2]

/** Brings the schema to the current version in one immediate transaction; a newer file is refused. */
export function migrateMergeJournal(database: DatabaseSync, file: string): void {
  database.exec('BEGIN IMMEDIATE')
  try {
    const { user_version: version } = database.prepare('PRAGMA user_version').get() as {
      user_version: number
    }
    if (version > SCHEMA_VERSION)
      throw new Error(
        `The merge journal ${file} was written by a newer Graph Connect (schema ${version}): update Graph Connect.`,
      )
    if (version < SCHEMA_VERSION) {
      for (const migration of MIGRATIONS.slice(version)) database.exec(migration)
      database.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`)
    }
    database.exec('COMMIT')
  } catch (error) {
    database.exec('ROLLBACK')
    throw error
  }
}
