/**
 * createOutlookTables: the SQLite tables of a mailbox beyond mail — mailbox settings (what a user changed), calendar
 * events and contacts — as JSON rows with the columns lists sort and search on; part of the mail store, emptied with it.
 */
import type { DatabaseSync } from 'node:sqlite'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS graph_mailbox_settings (user_id TEXT PRIMARY KEY COLLATE NOCASE, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS graph_events (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
  immutable_id TEXT NOT NULL UNIQUE, mailbox TEXT NOT NULL COLLATE NOCASE, ical_uid TEXT NOT NULL,
  start TEXT NOT NULL, end TEXT NOT NULL, subject TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS graph_events_start ON graph_events (mailbox, start);
CREATE INDEX IF NOT EXISTS graph_events_ical ON graph_events (ical_uid);
CREATE TABLE IF NOT EXISTS graph_contacts (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
  immutable_id TEXT NOT NULL UNIQUE, mailbox TEXT NOT NULL COLLATE NOCASE, display_name TEXT NOT NULL,
  data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS graph_contacts_mailbox ON graph_contacts (mailbox, seq);`

export function createOutlookTables(db: DatabaseSync): { clear(): void } {
  db.exec(SCHEMA)
  return {
    clear: () =>
      db.exec(
        'DELETE FROM graph_mailbox_settings; DELETE FROM graph_events; DELETE FROM graph_contacts;',
      ),
  }
}
