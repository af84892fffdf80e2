/** The SQLite merge journal's tables: `migrateMergeJournal` creates them in a file that has none. */
import type { DatabaseSync } from 'node:sqlite'
import { ACTIVE_STATES_SQL } from './journal-rules.ts'

// Schema version 1 (user_version). Times are Unix milliseconds. The send window is counted from merge_rows across every
// job in the file (send_started_at, recipients), so a restart or a second job on the same mailbox keeps the limits; the
// covering index answers that count without reading the rows. The owner index covers only rows still being worked on,
// so renew() and release() stay small however large the job.
const SCHEMA_VERSION = 1
const SCHEMA = `
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

/** Creates the schema if the file has none, in one immediate transaction; a newer file is refused. */
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
      database.exec(SCHEMA)
      database.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`)
    }
    database.exec('COMMIT')
  } catch (error) {
    database.exec('ROLLBACK')
    throw error
  }
}
