/**
 * `openPostgresMergeJournal`: the merge journal several worker processes, on several machines, share through one
 * PostgreSQL database.
 */
// Why our own SQL on node-postgres and not pg-boss: the row journal IS the queue — a worker claims rows with
// FOR UPDATE SKIP LOCKED, and a dead worker's rows come back when their lease runs out, with the state they had. pg-boss's
// per-key features are singleton and throttle (one job per key per interval), not "N requests in flight and M sends
// per rolling window per mailbox across workers", which is what Exchange limits; and its job table would be a second
// source of truth beside the row journal, to keep in step with it in every failure. The gate lives in the same
// database, locked per mailbox, so the limits hold for all workers together.
import pg, { type ClientConfig } from 'pg'
import { MergeError } from '../errors.ts'
import {
  ACTIVE_STATES_SQL,
  IMPORT_BATCH,
  SLOT_LEASE_MS,
  checkNewJob,
  checkRequeue,
  checkRow,
  guardJournal,
  importDiffers,
  jobExists,
  noSuchJob,
  readOnlyJournal,
  senderOf,
  specDifferences,
} from './journal-rules.ts'
import {
  ROW_STATES,
  type MergeJob,
  type MergeJournal,
  type MergeRow,
  type NewJob,
  type RowInput,
  type RowState,
} from './merge-journal.ts'
import { createPostgresGate } from './postgres-merge-gate.ts'
import { ensureMergeSchema, hasMergeSchema } from './postgres-merge-schema.ts'
import { inTransaction, SYNCED } from './postgres-transaction.ts'

export interface PostgresMergeJournalOptions {
  /** Status and report: creates nothing, and every transaction is read-only. */
  readOnly?: boolean
  /**
   * How long a request slot counts if it is never released (its worker died while Graph processed the request):
   * longer than any request may stay in flight — Graph's per-request timeout plus the merge's hold of an abandoned
   * call. Default 120 s.
   */
  slotLeaseMs?: number
  /** How often a waiting enter() looks again without a notification (default: five times a second). */
  pollMs?: number
  /** Connections in the pool (default 4), besides the one that listens for released slots. */
  poolSize?: number
}

const PAGE = 500 // rows() reads the journal in pages of this many rows
const MS = `* interval '1 millisecond'`
/** The session lock a job's import runs under (with the job's name): see createJob. */
const IMPORT_LOCK = 'graph-connect merge import'

export async function openPostgresMergeJournal(
  url: string,
  options: PostgresMergeJournalOptions = {},
): Promise<MergeJournal> {
  const where = describe(url)
  const readOnly = options.readOnly ?? false
  const connection: ClientConfig = {
    connectionString: url,
    application_name: 'graph-connect merge',
    // As the SQLite journal: only the write-ahead marks (`drafting`, `sending`, a cancel) wait for the disk
    // (SYNCED below); every other commit is asynchronous — if the database crashes it may lose the last ones, and
    // each such row falls back to a state its worker reconciles.
    options: readOnly ? '-c default_transaction_read_only=on' : '-c synchronous_commit=off',
  }
  const pool = new pg.Pool({ ...connection, max: options.poolSize ?? 4 })
  pool.on('error', () => undefined) // an idle connection lost: the next query reports it
  try {
    if (!readOnly) await ensureMergeSchema(pool)
    else if (!(await hasMergeSchema(pool)))
      throw new MergeError('ERR_MERGE_NOT_FOUND', {
        message: `The database ${where} holds no merge journal: check --journal, or start a merge first.`,
      })
  } catch (error) {
    await pool.end()
    if (error instanceof MergeError) throw error
    throw new MergeError('ERR_MERGE_JOURNAL', {
      cause: error,
      message: `The merge journal ${where} cannot be reached: ${(error as Error).message}. Check that PostgreSQL runs there and that --journal names it.`,
    })
  }
  const gate = createPostgresGate(pool, connection, {
    slotLeaseMs: options.slotLeaseMs ?? SLOT_LEASE_MS,
    pollMs: options.pollMs ?? 200,
  })
  let closed = false
  const writable = () => {
    if (readOnly) throw readOnlyJournal()
  }
  const query = async (sql: string, values: unknown[] = []) => (await pool.query(sql, values)).rows
  const findJob = async (id: string) => {
    const [record] = await query('SELECT * FROM merge_jobs WHERE id = $1', [id])
    return record && toJob(record)
  }
  const needJob = async (id: string) => {
    const job = await findJob(id)
    if (!job) throw noSuchJob(id)
    return job
  }
  /**
   * The import a kill -9 interrupted, if `job` may finish it (same settings): the highest row it holds, every row up
   * to which may be in already. Else the error saying why not.
   */
  const interruptedImport = async (job: NewJob): Promise<number> => {
    const stored = await needJob(job.id)
    if (stored.state !== 'importing') throw jobExists(job.id)
    const differences = specDifferences(stored, job)
    if (differences.length) throw importDiffers(job.id, differences)
    const [present] = await query(
      'SELECT coalesce(max(row), 0)::int AS n FROM merge_rows WHERE job = $1',
      [job.id],
    )
    return present.n as number
  }
  if (!readOnly) await gate.prune().catch(() => undefined) // a failure here is met again by the first send

  const journal: MergeJournal = {
    async createJob(job, rows) {
      writable()
      checkNewJob(job)
      // The import runs under a session lock named after the job, taken before the job is written, on a connection of
      // its own (the pool stays free for the rest): a process killed half-way loses it with that connection, so
      // whoever takes it next knows that a job it finds `importing` is not being imported anywhere, and may finish it.
      const lock = new pg.Client(connection)
      lock.on('error', () => undefined) // a lost connection: the next query on it reports it
      await lock.connect()
      try {
        const [{ locked }] = (
          await lock.query('SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS locked', [
            IMPORT_LOCK,
            job.id,
          ])
        ).rows
        if (!locked)
          throw new MergeError('ERR_MERGE_BUSY', {
            message: `The merge ${job.id} is being imported by another process: wait for it to finish, then resume it.`,
          })
        return await importJob(lock, job, rows)
      } finally {
        await lock.end().catch(() => undefined) // the session ends, and its lock with it
      }
    },

    job: findJob,
    jobs: async () => (await query('SELECT * FROM merge_jobs ORDER BY created_at, id')).map(toJob),

    async counts(id) {
      await needJob(id)
      const counts = Object.fromEntries(ROW_STATES.map((state) => [state, 0])) as Record<
        RowState,
        number
      >
      const found = await query(
        'SELECT state, count(*)::int AS n FROM merge_rows WHERE job = $1 GROUP BY state',
        [id],
      )
      for (const { state, n } of found) counts[state as RowState] = n
      return counts
    },

    async claim(id, worker, limit, leaseMs) {
      writable()
      const claimed = await query(
        `UPDATE merge_rows r SET owner = $2, lease_until = clock_timestamp() + $3::float8 ${MS}
         FROM (SELECT job, row FROM merge_rows
               WHERE job = $1 AND state IN ${ACTIVE_STATES_SQL}
                 AND (owner IS NULL OR lease_until < clock_timestamp())
               ORDER BY row LIMIT $4 FOR UPDATE SKIP LOCKED) picked
         WHERE r.job = picked.job AND r.row = picked.row
         RETURNING r.*`,
        [id, worker, leaseMs, limit],
      )
      return claimed.map(toRow).sort((a, b) => a.row - b.row)
    },

    async update(row, worker, change) {
      writable()
      const run = (sql: string, values: unknown[]) =>
        change.state === 'drafting'
          ? inTransaction(pool, async (client) => {
              await client.query(SYNCED)
              return (await client.query(sql, values)).rows
            })
          : query(sql, values)
      const updated = await run(
        `UPDATE merge_rows SET state = $4, updated_at = clock_timestamp(),
           draft_id = CASE WHEN $5 THEN $6 ELSE draft_id END,
           internet_message_id = CASE WHEN $7 THEN $8 ELSE internet_message_id END,
           error = CASE WHEN $9 THEN $10 ELSE error END
         WHERE job = $1 AND row = $2 AND owner = $3 AND state <> 'cancelled'
         RETURNING 1`,
        [
          row.job,
          row.row,
          worker,
          change.state,
          ...optional(change.draftId),
          ...optional(change.internetMessageId),
          ...optional(change.error),
        ],
      )
      return updated.length === 1
    },

    async renew(worker, leaseMs) {
      writable()
      await query(
        `UPDATE merge_rows SET lease_until = clock_timestamp() + $2::float8 ${MS}
         WHERE owner = $1 AND state IN ${ACTIVE_STATES_SQL}`,
        [worker, leaseMs],
      )
    },

    async release(worker) {
      writable()
      await query(
        `UPDATE merge_rows SET owner = NULL, lease_until = NULL
         WHERE owner = $1 AND state IN ${ACTIVE_STATES_SQL}`,
        [worker],
      )
    },

    async *rows(id) {
      for (let after = 0; ;) {
        const page = await query(
          'SELECT * FROM merge_rows WHERE job = $1 AND row > $2 ORDER BY row LIMIT $3',
          [id, after, PAGE],
        )
        for (const record of page) yield toRow(record)
        if (page.length < PAGE) return
        after = page[page.length - 1].row as number
      }
    },

    async requeue(id, state) {
      writable()
      checkRequeue(state)
      await needJob(id)
      return inTransaction(pool, async (client) => {
        const { rowCount } = await client.query(
          `UPDATE merge_rows SET state = 'pending', owner = NULL, lease_until = NULL, error = NULL,
             updated_at = clock_timestamp()
           WHERE job = $1 AND state = $2`,
          [id, state],
        )
        if (rowCount)
          await client.query(
            `UPDATE merge_jobs SET state = 'open' WHERE id = $1 AND state <> 'importing'`,
            [id],
          )
        return rowCount ?? 0
      })
    },

    async cancel(id) {
      writable()
      await needJob(id)
      await inTransaction(pool, async (client) => {
        await client.query(SYNCED)
        await client.query(
          `UPDATE merge_rows SET state = 'cancelled', updated_at = clock_timestamp()
           WHERE job = $1 AND state IN ('pending', 'drafting', 'drafted')`,
          [id],
        )
        await client.query(
          `UPDATE merge_jobs SET state = 'cancelled' WHERE id = $1 AND state <> 'done'`,
          [id],
        )
      })
    },

    async finish(id) {
      writable()
      const job = await needJob(id)
      if (job.state === 'importing') return false
      const [active] = await query(
        `SELECT count(*)::int AS n FROM merge_rows WHERE job = $1 AND state IN ${ACTIVE_STATES_SQL}`,
        [id],
      )
      if (active.n > 0) return false
      await query(`UPDATE merge_jobs SET state = 'done' WHERE id = $1 AND state = 'open'`, [id])
      return true
    },

    enter: async (mailbox, limits, signal) => {
      if (readOnly) throw readOnlyJournal()
      try {
        return await gate.enter(mailbox, limits, signal)
      } catch (error) {
        if (signal?.aborted && error === signal.reason) throw error
        throw new MergeError('ERR_MERGE_JOURNAL', {
          cause: error,
          message: `The merge journal ${where} failed: ${(error as Error).message}`,
        })
      }
    },
    async startSend(row, worker, limits) {
      writable()
      return gate.startSend(row, worker, limits)
    },
    async pause(mailbox, untilMs) {
      writable()
      await gate.pause(mailbox, untilMs)
    },

    async close() {
      if (closed) return
      closed = true
      await gate.close()
      await pool.end()
    },
  }
  /**
   * Under the job's import lock: writes the job (or finds the one to finish), then its rows on the lock's
   * connection, then opens it.
   */
  async function importJob(
    client: pg.Client,
    job: NewJob,
    rows: AsyncIterable<RowInput>,
  ): Promise<MergeJob> {
    const { id, template, senders, mode, limits, connection: login, source } = job
    const added = await query(
      `INSERT INTO merge_jobs (id, state, spec) VALUES ($1, 'importing', $2)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [id, { template, senders, mode, limits, connection: login, source }],
    )
    // An import a kill -9 interrupted is finished by the same job: the rows already in are skipped.
    const present = added.length === 0 ? await interruptedImport(job) : 0
    try {
      let batch: RowInput[] = []
      for await (const row of rows) {
        checkRow(row)
        batch.push(row)
        if (batch.length < IMPORT_BATCH) continue
        await insertRows(client, job, batch, present)
        batch = []
      }
      await insertRows(client, job, batch, present)
    } catch (error) {
      // A source that fails half-way leaves no half job behind (its rows go with it: ON DELETE CASCADE).
      await query('DELETE FROM merge_jobs WHERE id = $1', [id])
      throw error
    }
    await query(`UPDATE merge_jobs SET state = 'open' WHERE id = $1`, [id])
    return needJob(id)
  }

  return guardJournal(journal, where)
}

/**
 * One batch of rows and the job's count, in one transaction. Rows numbered up to `present` may be in already (an
 * interrupted import being finished): those are skipped; any other row already in appears twice in the source.
 */
async function insertRows(
  client: pg.Client,
  job: NewJob,
  rows: RowInput[],
  present: number,
): Promise<void> {
  if (rows.length === 0) return
  await client.query('BEGIN')
  try {
    const insert = async (part: RowInput[], conflict: string) => {
      if (part.length === 0) return 0
      const { rowCount } = await client.query(
        `INSERT INTO merge_rows (job, row, mailbox, recipients, data)
         SELECT $1, * FROM unnest($2::int[], $3::text[], $4::int[], $5::jsonb[]) ${conflict}`,
        [
          job.id,
          part.map((row) => row.row),
          part.map((row) => senderOf(job, row.row)),
          part.map((row) => row.recipients),
          part.map((row) => JSON.stringify(row.data)),
        ],
      )
      return rowCount ?? 0
    }
    let added = 0
    try {
      added += await insert(
        rows.filter((row) => row.row <= present),
        'ON CONFLICT (job, row) DO NOTHING',
      )
      added += await insert(
        rows.filter((row) => row.row > present),
        '',
      )
    } catch (error) {
      if ((error as { code?: string }).code !== '23505') throw error // unique_violation
      const row = /\(([^()]*), (\d+)\) already exists/.exec(
        (error as { detail?: string }).detail ?? '',
      )
      throw new MergeError('ERR_MERGE_INVALID', {
        message: `Row ${row?.[2] ?? '?'} appears twice in the source: each row needs its own number.`,
      })
    }
    await client.query('UPDATE merge_jobs SET rows = rows + $2 WHERE id = $1', [job.id, added])
    await client.query('COMMIT')
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined) // a broken connection ends with the import
    throw error
  }
}

/** The database named without its password: postgres://user@host:port/database. */
function describe(url: string): string {
  try {
    const parsed = new URL(url)
    parsed.password = ''
    return parsed.toString()
  } catch {
    throw new MergeError('ERR_MERGE_INVALID', {
      message: `The journal address "${url}" is not a URL: give postgres://user@host:port/database.`,
    })
  }
}

/** [flag, value] for `CASE WHEN flag THEN value ELSE column END`: undefined leaves the column as it is. */
function optional(value: string | null | undefined): [boolean, string | null] {
  return value === undefined ? [false, null] : [true, value]
}

type Record_ = Record<string, unknown>

function toJob(record: Record_): MergeJob {
  return {
    ...(record.spec as Omit<NewJob, 'id'>),
    id: record.id as string,
    state: record.state as MergeJob['state'],
    createdAt: (record.created_at as Date).toISOString(),
    rows: record.rows as number,
  }
}

function toRow(record: Record_): MergeRow {
  const job = record.job as string
  const row = record.row as number
  return {
    job,
    row,
    data: record.data as Record<string, string>,
    recipients: record.recipients as number,
    mailbox: record.mailbox as string,
    key: `${job}/${row}`,
    state: record.state as RowState,
    draftId: record.draft_id as string | null,
    internetMessageId: record.internet_message_id as string | null,
    error: record.error as string | null,
    attempts: record.attempts as number,
    updatedAt: (record.updated_at as Date).toISOString(),
  }
}
