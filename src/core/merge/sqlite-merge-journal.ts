/**
 * `openSqliteMergeJournal`: the embedded merge journal (node:sqlite, WAL), one writer process per file, any number of
 * read-only openers beside it (merge status and report from another terminal) and control ones that may only cancel
 * a job (merge cancel while the merge runs). Holding the writer lock proves the previous writer dead, so a writer that
 * opens takes over its rows at once and counts the request slots it left.
 */
import { existsSync } from 'node:fs'
import { dirname } from 'node:path'
import { DatabaseSync, type SQLInputValue } from 'node:sqlite'
import { MergeError } from '../errors.ts'
import { ownerOnlyFile, ownerOnlyFolder } from '../owner-only.ts'
import { holdLock, lockHolder } from '../store/lock-holder.ts'
import {
  ACTIVE_STATES_SQL,
  IMPORT_BATCH,
  PRUNE_EVERY_MS,
  SENDS_KEPT_MS,
  SLOT_LEASE_MS,
  checkNewJob,
  checkRecipients,
  checkRequeue,
  checkRow,
  guardJournal,
  importDiffers,
  jobExists,
  journalFailure,
  mailboxKey,
  noSuchJob,
  readOnlyJournal,
  senderOf,
  specDifferences,
} from './journal-rules.ts'
import { createLocalGate, type LocalGate } from './local-gate.ts'
import {
  ROW_STATES,
  type MailboxLimits,
  type MergeJob,
  type MergeJournal,
  type MergeRow,
  type NewJob,
  type RowInput,
  type RowState,
  type Slot,
  type Wait,
} from './merge-journal.ts'
import { migrateMergeJournal } from './sqlite-merge-schema.ts'

export interface SqliteMergeJournalOptions {
  /** Status and report: never blocks a running merge, never writes, takes no lock. */
  readOnly?: boolean
  /**
   * `merge cancel` beside a running worker: reads, and `cancel` alone writes; takes no lock and takes over nothing
   * (the worker's rows stay its own: it sees the job cancelled and stops).
   */
  control?: boolean
  /**
   * How long a request slot counts if it is never released (the process was killed while Graph processed the
   * request): longer than any request may stay in flight — Graph's per-request timeout plus the merge's hold of an
   * abandoned call. Default 120 s.
   */
  slotLeaseMs?: number
}

const PAGE = 500 // rows() reads the journal in pages of this many rows

interface JobRecord {
  id: string
  state: MergeJob['state']
  spec: string
  rows: number
  created_at: number
}

interface RowRecord {
  job: string
  row: number
  state: RowState
  mailbox: string
  recipients: number
  draft_id: string | null
  internet_message_id: string | null
  error: string | null
  attempts: number
  updated_at: number
  data: string
}

/** One open file: the database, and what closing it must also let go of. */
interface Opened {
  database: DatabaseSync
  close(): void
}

export function openSqliteMergeJournal(
  file: string,
  options: SqliteMergeJournalOptions = {},
): MergeJournal {
  const readOnly = options.readOnly ?? false
  const control = !readOnly && (options.control ?? false)
  const slotLeaseMs = options.slotLeaseMs ?? SLOT_LEASE_MS
  const opened = readOnly || control ? openReader(file, { control }) : openWriter(file)
  const database = opened.database
  const gate = createLocalGate()
  /** Jobs this handle is importing now: a second createJob of one of them must not finish it alongside. */
  const importing = new Set<string>()
  let prunedAt = 0
  /** Throws unless this handle may make the change: a writer any, a control handle only a cancel. */
  const writable = (cancel = false) => {
    if (readOnly || (control && !cancel)) throw readOnlyJournal()
  }
  const query = (sql: string, ...values: SQLInputValue[]) => database.prepare(sql).all(...values)
  const get = (sql: string, ...values: SQLInputValue[]) => database.prepare(sql).get(...values)
  const exec = (sql: string, ...values: SQLInputValue[]) => database.prepare(sql).run(...values)
  const transaction = <T>(work: () => T): T => {
    database.exec('BEGIN IMMEDIATE')
    try {
      const result = work()
      database.exec('COMMIT')
      return result
    } catch (error) {
      database.exec('ROLLBACK')
      throw error
    }
  }
  /**
   * The write-ahead marks — `drafting` and `sending` (with its send counted), written before the Graph call they
   * announce, and a cancel — are committed with a sync to the disk: after a power cut the journal still says what
   * may have happened. Every other write (after-call states, claims, leases, request slots) survives a killed process
   * without it, and if a power cut loses one, the row falls back to a state its worker reconciles: `drafted` back to
   * `drafting` (the draft is found by its key), `sent` back to `sending` (the sent copy is found). Syncing only
   * those keeps a row to two syncs, which a disk does in the time of a few sends.
   */
  const synced = <T>(work: () => T): T => {
    database.exec('PRAGMA synchronous = FULL')
    try {
      return work()
    } finally {
      database.exec('PRAGMA synchronous = NORMAL')
    }
  }
  const findJob = (id: string) => {
    const record = get('SELECT * FROM merge_jobs WHERE id = ?', id) as JobRecord | undefined
    return record && toJob(record)
  }
  const needJob = (id: string) => findJob(id) ?? throwError(noSuchJob(id))
  const prune = (now: number, limits?: MailboxLimits) => {
    prunedAt = now
    const { longest } = get(
      `SELECT max(max(json_extract(spec, '$.limits.sendWindowMs')),
         max(json_extract(spec, '$.limits.recipientWindowMs'))) AS longest FROM merge_jobs`,
    ) as { longest: number | null }
    const keptMs = Math.max(
      SENDS_KEPT_MS,
      longest ?? 0,
      limits?.sendWindowMs ?? 0,
      limits?.recipientWindowMs ?? 0,
    )
    exec('DELETE FROM merge_sends WHERE at < ?', now - keptMs)
  }
  /**
   * The import a kill -9 interrupted, if `job` may finish it (same settings): the highest row it holds, every row up
   * to which may be in already. Else the error saying why not.
   */
  const interruptedImport = (job: NewJob): number => {
    const stored = needJob(job.id)
    if (stored.state !== 'importing' || importing.has(job.id)) throw jobExists(job.id)
    const differences = specDifferences(stored, job)
    if (differences.length) throw importDiffers(job.id, differences)
    return (
      get('SELECT coalesce(max(row), 0) AS n FROM merge_rows WHERE job = ?', job.id) as {
        n: number
      }
    ).n
  }
  const persisted = (mailbox: string, slot: Slot): Slot => {
    const { lastInsertRowid: id } = exec(
      'INSERT INTO merge_slots (mailbox, expires_at) VALUES (?, ?)',
      mailbox,
      Date.now() + slotLeaseMs,
    )
    let released = false
    return {
      release() {
        if (released) return
        released = true
        forgetSlot(database, id)
        slot.release()
      },
    }
  }
  if (!readOnly && !control) takeOver(database, gate, prune)

  const journal: MergeJournal = {
    async createJob(job, rows) {
      writable()
      checkNewJob(job)
      const { id, template, senders, mode, limits, connection, source } = job
      const spec = JSON.stringify({ template, senders, mode, limits, connection, source })
      const added = exec(
        `INSERT OR IGNORE INTO merge_jobs (id, state, spec, created_at) VALUES (?, 'importing', ?, ?)`,
        id,
        spec,
        Date.now(),
      )
      // An import a kill -9 interrupted is finished by the same job: the rows already in are skipped.
      const present = added.changes === 0 ? interruptedImport(job) : 0
      importing.add(id)
      try {
        let batch: RowInput[] = []
        for await (const row of rows) {
          checkRow(row)
          batch.push(row)
          if (batch.length < IMPORT_BATCH) continue
          transaction(() => insertRows(database, job, batch, present))
          batch = []
        }
        transaction(() => insertRows(database, job, batch, present))
      } catch (error) {
        // A source that fails half-way leaves no half job behind: fixed, it can be imported again under its name.
        transaction(() => {
          exec('DELETE FROM merge_rows WHERE job = ?', id)
          exec('DELETE FROM merge_jobs WHERE id = ?', id)
        })
        throw error
      } finally {
        importing.delete(id)
      }
      exec(`UPDATE merge_jobs SET state = 'open' WHERE id = ?`, id)
      return needJob(id)
    },

    job: async (id) => findJob(id),
    jobs: async () =>
      (query('SELECT * FROM merge_jobs ORDER BY created_at, id') as unknown as JobRecord[]).map(
        toJob,
      ),

    async counts(id) {
      needJob(id)
      const counts = Object.fromEntries(ROW_STATES.map((state) => [state, 0])) as Record<
        RowState,
        number
      >
      for (const { state, n } of query(
        'SELECT state, count(*) AS n FROM merge_rows WHERE job = ? GROUP BY state',
        id,
      ) as Array<{ state: RowState; n: number }>)
        counts[state] = n
      return counts
    },

    async claim(id, worker, limit, leaseMs) {
      writable()
      const now = Date.now()
      const claimed = query(
        `UPDATE merge_rows SET owner = ?, lease_until = ?
         WHERE rowid IN (
           SELECT rowid FROM merge_rows
           WHERE job = ? AND state IN ${ACTIVE_STATES_SQL} AND (owner IS NULL OR lease_until < ?)
           ORDER BY row LIMIT ?)
         RETURNING *`,
        worker,
        now + leaseMs,
        id,
        now,
        limit,
      ) as unknown as RowRecord[]
      return claimed.map(toRow).sort((a, b) => a.row - b.row)
    },

    async update(row, worker, change) {
      writable()
      const write = change.state === 'drafting' ? synced : <T>(work: () => T) => work()
      const result = write(() =>
        exec(
          `UPDATE merge_rows SET state = ?, updated_at = ?,
           draft_id = CASE WHEN ? THEN ? ELSE draft_id END,
           internet_message_id = CASE WHEN ? THEN ? ELSE internet_message_id END,
           error = CASE WHEN ? THEN ? ELSE error END
         WHERE job = ? AND row = ? AND owner = ? AND state <> 'cancelled'`,
          change.state,
          Date.now(),
          ...optional(change.draftId),
          ...optional(change.internetMessageId),
          ...optional(change.error),
          row.job,
          row.row,
          worker,
        ),
      )
      return result.changes === 1
    },

    async renew(worker, leaseMs) {
      writable()
      exec(
        `UPDATE merge_rows SET lease_until = ? WHERE owner = ? AND state IN ${ACTIVE_STATES_SQL}`,
        Date.now() + leaseMs,
        worker,
      )
    },

    async release(worker) {
      writable()
      exec(
        `UPDATE merge_rows SET owner = NULL, lease_until = NULL
         WHERE owner = ? AND state IN ${ACTIVE_STATES_SQL}`,
        worker,
      )
    },

    async *rows(id) {
      for (let after = 0; ;) {
        const page = query(
          'SELECT * FROM merge_rows WHERE job = ? AND row > ? ORDER BY row LIMIT ?',
          id,
          after,
          PAGE,
        ) as unknown as RowRecord[]
        for (const record of page) yield toRow(record)
        if (page.length < PAGE) return
        after = page[page.length - 1]!.row
      }
    },

    async requeue(id, state) {
      writable()
      checkRequeue(state)
      needJob(id)
      return transaction(() => {
        const { changes } = exec(
          `UPDATE merge_rows SET state = 'pending', owner = NULL, lease_until = NULL, error = NULL, updated_at = ?
           WHERE job = ? AND state = ?`,
          Date.now(),
          id,
          state,
        )
        if (changes > 0)
          exec(`UPDATE merge_jobs SET state = 'open' WHERE id = ? AND state <> 'importing'`, id)
        return Number(changes)
      })
    },

    async cancel(id) {
      writable(true)
      needJob(id)
      synced(() =>
        transaction(() => {
          exec(
            `UPDATE merge_rows SET state = 'cancelled', updated_at = ?
           WHERE job = ? AND state IN ('pending', 'drafting', 'drafted')`,
            Date.now(),
            id,
          )
          exec(`UPDATE merge_jobs SET state = 'cancelled' WHERE id = ? AND state <> 'done'`, id)
        }),
      )
    },

    async finish(id) {
      writable()
      return transaction(() => {
        const job = needJob(id)
        if (job.state === 'importing') return false
        const active = get(
          `SELECT count(*) AS n FROM merge_rows WHERE job = ? AND state IN ${ACTIVE_STATES_SQL}`,
          id,
        ) as { n: number }
        if (active.n > 0) return false
        exec(`UPDATE merge_jobs SET state = 'done' WHERE id = ? AND state = 'open'`, id)
        return true
      })
    },

    async enter(name, limits, signal) {
      writable()
      const mailbox = mailboxKey(name)
      const slot = await gate.enter(mailbox, limits.concurrent, signal)
      try {
        return persisted(mailbox, slot)
      } catch (error) {
        slot.release()
        throw journalFailure(error, file)
      }
    },

    async startSend(row, worker, limits) {
      writable()
      checkRecipients(row, limits)
      const mailbox = mailboxKey(row.mailbox)
      return synced(() =>
        transaction(() => {
          const held = get(
            `SELECT 1 FROM merge_rows
           WHERE job = ? AND row = ? AND owner = ? AND state IN ${ACTIVE_STATES_SQL}`,
            row.job,
            row.row,
            worker,
          )
          if (!held) return { held: false as const }
          const now = Date.now()
          const paused = gate.pausedUntil(mailbox) - now
          if (paused > 0) return { waitMs: paused, reason: 'paused' as const }
          const wait = windowWait(database, mailbox, row.recipients, limits, now)
          if (wait) return wait
          exec(
            `UPDATE merge_rows SET state = 'sending', attempts = attempts + 1, send_started_at = ?, updated_at = ?
           WHERE job = ? AND row = ?`,
            now,
            now,
            row.job,
            row.row,
          )
          exec(
            'INSERT INTO merge_sends (mailbox, at, recipients) VALUES (?, ?, ?)',
            mailbox,
            now,
            row.recipients,
          )
          if (now - prunedAt >= PRUNE_EVERY_MS) prune(now, limits)
          return { ok: true as const }
        }),
      )
    },

    async pause(mailbox, untilMs) {
      writable()
      gate.pause(mailboxKey(mailbox), untilMs)
      // Kept, so that a worker started after this one was killed still waits as Graph asked.
      exec(
        `INSERT INTO merge_pauses (mailbox, until) VALUES (?, ?)
         ON CONFLICT (mailbox) DO UPDATE SET until = max(until, excluded.until)`,
        mailboxKey(mailbox),
        untilMs,
      )
    },

    async close() {
      gate.close()
      if (database.isOpen) opened.close()
    },
  }
  return guardJournal(journal, file)
}

/**
 * A writer that opens: the previous one is dead (it held the lock). Its rows are free at once (their states kept: the
 * worker reconciles `sending` rows and recovers `drafting` ones); the slots it left count against their mailbox until
 * they expire, since Graph may still be processing those requests.
 */
function takeOver(database: DatabaseSync, gate: LocalGate, prune: (now: number) => void): void {
  const now = Date.now()
  database.exec('BEGIN IMMEDIATE')
  try {
    database
      .prepare(
        `UPDATE merge_rows SET owner = NULL, lease_until = NULL
         WHERE owner IS NOT NULL AND state IN ${ACTIVE_STATES_SQL}`,
      )
      .run()
    database.prepare('DELETE FROM merge_slots WHERE expires_at <= ?').run(now)
    database.prepare('DELETE FROM merge_pauses WHERE until <= ?').run(now)
    prune(now)
    database.exec('COMMIT')
  } catch (error) {
    database.exec('ROLLBACK')
    throw error
  }
  const left = database.prepare('SELECT id, mailbox, expires_at FROM merge_slots').all() as Array<{
    id: number
    mailbox: string
    expires_at: number
  }>
  for (const slot of left)
    gate.hold(slot.mailbox, slot.expires_at, () => forgetSlot(database, slot.id))
  const pauses = database.prepare('SELECT mailbox, until FROM merge_pauses').all() as Array<{
    mailbox: string
    until: number
  }>
  for (const { mailbox, until } of pauses) gate.pause(mailbox, until)
}

/** A slot's entry deleted; one that cannot be (the journal closed, or failing) expires by itself on the next open. */
function forgetSlot(database: DatabaseSync, id: number | bigint): void {
  try {
    if (database.isOpen) database.prepare('DELETE FROM merge_slots WHERE id = ?').run(id)
  } catch {
    // expires by itself
  }
}

/**
 * How long until `mailbox` may send a mail to `recipients` more, counted from the sends log (every attempt of every
 * job in the file), or undefined when it may now. A window frees up when its oldest counted send leaves it.
 */
function windowWait(
  database: DatabaseSync,
  mailbox: string,
  recipients: number,
  limits: MailboxLimits,
  now: number,
): Wait | undefined {
  const sendFrom = now - limits.sendWindowMs
  const recipientFrom = now - limits.recipientWindowMs
  const counted = database
    .prepare(
      `SELECT count(*) FILTER (WHERE at > $sendFrom) AS sends,
         min(at) FILTER (WHERE at > $sendFrom) AS oldestSend,
         coalesce(sum(recipients) FILTER (WHERE at > $recipientFrom), 0) AS recipients,
         min(at) FILTER (WHERE at > $recipientFrom) AS oldestRecipient
       FROM merge_sends WHERE mailbox = $mailbox AND at > $from`,
    )
    .get({ sendFrom, recipientFrom, mailbox, from: Math.min(sendFrom, recipientFrom) }) as {
    sends: number
    oldestSend: number | null
    recipients: number
    oldestRecipient: number | null
  }
  if (counted.sends >= limits.sendsPerWindow)
    return { waitMs: Math.max(1, counted.oldestSend! + limits.sendWindowMs - now), reason: 'rate' }
  if (counted.recipients + recipients > limits.recipientsPerWindow)
    return {
      waitMs: Math.max(1, counted.oldestRecipient! + limits.recipientWindowMs - now),
      reason: 'recipients',
    }
  return undefined
}

/**
 * One batch of rows and the job's count. Rows numbered up to `present` may be in already (an interrupted import being
 * finished): those are skipped; any other row already in appears twice in the source.
 */
function insertRows(database: DatabaseSync, job: NewJob, rows: RowInput[], present: number): void {
  if (rows.length === 0) return
  const columns = `INSERT INTO merge_rows (job, row, mailbox, recipients, updated_at, data) VALUES (?, ?, ?, ?, ?, ?)`
  const insert = database.prepare(columns)
  const insertMissing = database.prepare(`${columns} ON CONFLICT (job, row) DO NOTHING`)
  const now = Date.now()
  let added = 0
  for (const row of rows) {
    try {
      added += (row.row <= present ? insertMissing : insert).run(
        job.id,
        row.row,
        senderOf(job, row.row),
        row.recipients,
        now,
        JSON.stringify(row.data),
      ).changes as number
    } catch (error) {
      if ((error as { errcode?: number }).errcode !== 1555 /* SQLITE_CONSTRAINT_PRIMARYKEY */)
        throw error
      throw new MergeError('ERR_MERGE_INVALID', {
        message: `Row ${row.row} appears twice in the source: each row needs its own number.`,
      })
    }
  }
  database.prepare('UPDATE merge_jobs SET rows = rows + ? WHERE id = ?').run(added, job.id)
}

/** The writer: the file's writer lock taken (a second writer is told who holds it), WAL, the schema current. */
function openWriter(file: string): Opened {
  ownerOnlyFolder(dirname(file))
  ownerOnlyFile(file) // the recipients' addresses and columns: for this user's eyes only
  ownerOnlyFile(`${file}.lock`)
  // The writer lock lives in a file of its own, so that the journal itself keeps SQLite's normal locking and readers
  // can open it while a merge runs. The OS releases it when the process dies, kill -9 included.
  const lock = new DatabaseSync(`${file}.lock`)
  try {
    lock.exec(
      'PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = MEMORY; BEGIN EXCLUSIVE; PRAGMA user_version = 1; COMMIT',
    )
  } catch (error) {
    lock.close()
    if ((error as { errcode?: number }).errcode !== 5 /* SQLITE_BUSY */) throw error
    throw new MergeError('ERR_MERGE_BUSY', {
      cause: error,
      message: `The merge journal ${file} is in use by ${lockHolder(file) ?? 'another process'}: one worker process per SQLite journal. Wait for it to finish, or use PostgreSQL (--journal postgres://…) to run several workers.`,
    })
  }
  const holder = holdLock(file)
  const database = new DatabaseSync(file)
  try {
    // NORMAL in WAL: every commit survives the process (kill -9 included); the write-ahead marks are also synced to
    // the disk (`synced` below), so that they survive a power cut too.
    database.exec(
      'PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;',
    )
    migrateMergeJournal(database, file)
  } catch (error) {
    database.close()
    holder.release()
    lock.close()
    throw error
  }
  return {
    database,
    close() {
      database.close()
      holder.release()
      lock.close()
    },
  }
}

/**
 * A reader, or with `control` a handle that may write beside the writer (SQLite's own locking orders its writes with
 * the writer's): neither takes the writer lock, nor creates or migrates the journal.
 */
function openReader(file: string, { control }: { control: boolean }): Opened {
  if (!existsSync(file))
    throw new MergeError('ERR_MERGE_NOT_FOUND', {
      message: `There is no merge journal at ${file}: check the path, or start a merge first.`,
    })
  const database = new DatabaseSync(file, { readOnly: !control })
  database.exec('PRAGMA busy_timeout = 5000')
  const { user_version: version } = database.prepare('PRAGMA user_version').get() as {
    user_version: number
  }
  if (version === 0) {
    database.close()
    throw new MergeError('ERR_MERGE_NOT_FOUND', {
      message: `${file} holds no merge journal: check the path.`,
    })
  }
  return { database, close: () => database.close() }
}

/** [flag, value] for `CASE WHEN flag THEN value ELSE column END`: undefined leaves the column as it is. */
function optional(value: string | null | undefined): [number, string | null] {
  return value === undefined ? [0, null] : [1, value]
}

function toJob(record: JobRecord): MergeJob {
  return {
    ...(JSON.parse(record.spec) as Omit<NewJob, 'id'>),
    id: record.id,
    state: record.state,
    createdAt: new Date(record.created_at).toISOString(),
    rows: record.rows,
  }
}

function toRow(record: RowRecord): MergeRow {
  return {
    job: record.job,
    row: record.row,
    data: JSON.parse(record.data) as Record<string, string>,
    recipients: record.recipients,
    mailbox: record.mailbox,
    key: `${record.job}/${record.row}`,
    state: record.state,
    draftId: record.draft_id,
    internetMessageId: record.internet_message_id,
    error: record.error,
    attempts: record.attempts,
    updatedAt: new Date(record.updated_at).toISOString(),
  }
}

function throwError(error: Error): never {
  throw error
}
