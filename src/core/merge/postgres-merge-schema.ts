/** The PostgreSQL merge journal's tables, and `ensureMergeSchema`, which creates them once however many workers start. */
import type { Pool } from 'pg'
import { ACTIVE_STATES_SQL } from './journal-rules.ts'

// Every time is the database's (clock_timestamp()), so the machines' clocks never matter. merge_rows is at once the
// journal and the queue: claims lock rows with FOR UPDATE SKIP LOCKED. The send windows are counted from merge_sends,
// one entry per send attempt across every job (Exchange counts a resend after a 429 or a reconciliation as a send of its
// own; the covering index answers without reading the table); send_started_at on the row (the last attempt) is kept for
// the report. merge_mailboxes holds one row per mailbox that every gate decision locks, and merge_slots the requests in
// flight, each with an expiry so a dead worker's slots free themselves once they can no longer be in flight.
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS merge_jobs (
    id text PRIMARY KEY,
    state text NOT NULL,
    spec jsonb NOT NULL, -- template, senders, mode, limits, connection, source
    rows integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
  );
  CREATE TABLE IF NOT EXISTS merge_rows (
    job text NOT NULL REFERENCES merge_jobs (id) ON DELETE CASCADE,
    row integer NOT NULL,
    state text NOT NULL DEFAULT 'pending',
    mailbox text NOT NULL,
    recipients integer NOT NULL,
    owner text,
    lease_until timestamptz,
    send_started_at timestamptz,
    draft_id text,
    internet_message_id text,
    error text,
    attempts integer NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    data jsonb NOT NULL,
    PRIMARY KEY (job, row)
  );
  CREATE INDEX IF NOT EXISTS merge_rows_state ON merge_rows (job, state, row);
  CREATE INDEX IF NOT EXISTS merge_rows_claimable ON merge_rows (job, row)
    WHERE state IN ${ACTIVE_STATES_SQL};
  DROP INDEX IF EXISTS merge_rows_sends;
  CREATE TABLE IF NOT EXISTS merge_sends (
    mailbox text NOT NULL,
    at timestamptz NOT NULL,
    recipients integer NOT NULL
  );
  CREATE INDEX IF NOT EXISTS merge_sends_window ON merge_sends (mailbox, at) INCLUDE (recipients);
  CREATE INDEX IF NOT EXISTS merge_rows_owner ON merge_rows (owner)
    WHERE owner IS NOT NULL AND state IN ${ACTIVE_STATES_SQL};
  CREATE TABLE IF NOT EXISTS merge_mailboxes (
    mailbox text PRIMARY KEY,
    paused_until timestamptz
  );
  CREATE TABLE IF NOT EXISTS merge_slots (
    id bigserial PRIMARY KEY,
    mailbox text NOT NULL,
    worker text NOT NULL,
    expires_at timestamptz NOT NULL
  );
  CREATE INDEX IF NOT EXISTS merge_slots_mailbox ON merge_slots (mailbox, expires_at);`

/**
 * Creates the tables if missing. Under one transaction-scoped advisory lock: CREATE … IF NOT EXISTS alone is not safe
 * when several workers start at once (two can both find a table absent and one then fails on the catalogue).
 */
export async function ensureMergeSchema(pool: Pool): Promise<void> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('graph-connect merge journal'))`)
    const { rows } = await client.query(
      `SELECT to_regclass('merge_rows') IS NOT NULL AND to_regclass('merge_sends') IS NULL AS older`,
    )
    await client.query(SCHEMA)
    // A journal made before the sends log counted its windows from its rows: their last attempts start the log.
    if (rows[0].older)
      await client.query(
        `INSERT INTO merge_sends (mailbox, at, recipients)
         SELECT mailbox, send_started_at, recipients FROM merge_rows WHERE send_started_at IS NOT NULL`,
      )
    await client.query('COMMIT')
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  } finally {
    client.release()
  }
}

/** True when the journal's tables exist (a read-only opener creates nothing). */
export async function hasMergeSchema(pool: Pool): Promise<boolean> {
  const { rows } = await pool.query(`SELECT to_regclass('merge_rows') IS NOT NULL AS ok`)
  return rows[0].ok as boolean
}
