/**
 * `createPostgresGate`: the per-mailbox gate shared by every worker on one PostgreSQL journal — request slots
 * (merge_slots), the send and recipient windows (counted from the sends log, merge_sends) and pauses (merge_mailboxes).
 * Every decision locks the mailbox's row first, so the limits hold for all workers together.
 */
import { hostname } from 'node:os'
import pg, { type ClientConfig, type Pool, type PoolClient } from 'pg'
import {
  ACTIVE_STATES_SQL,
  PRUNE_EVERY_MS,
  SENDS_KEPT_MS,
  checkRecipients,
  mailboxKey,
} from './journal-rules.ts'
import type { MailboxLimits, MergeJournal, MergeRow, Slot, Wait } from './merge-journal.ts'
import { inTransaction, SYNCED } from './postgres-transaction.ts'

export interface PostgresGateOptions {
  /** A slot left by a worker that died frees itself after this long: longer than any request's timeout. */
  slotLeaseMs: number
  /** How often a waiter looks again when no notification came (a lost listener, a slot that expired). */
  pollMs: number
}

export interface PostgresGate extends Pick<MergeJournal, 'enter' | 'startSend' | 'pause'> {
  /** Deletes the sends no window can count any more (done by startSend once an hour, and by a writer that opens). */
  prune(limits?: MailboxLimits): Promise<void>
  close(): Promise<void>
}

/** Released slots are announced on this channel (payload: the mailbox), so waiting workers look again at once. */
const CHANNEL = 'graph_connect_merge_gate'
const MS = `* interval '1 millisecond'`

export function createPostgresGate(
  pool: Pool,
  connection: ClientConfig,
  options: PostgresGateOptions,
): PostgresGate {
  const process_ = `${hostname()}:${process.pid}`
  const wakers = new Map<string, Set<() => void>>()
  const releases = new Set<Promise<unknown>>()
  const wakeAll = (mailbox: string) => wakers.get(mailbox)?.forEach((wake) => wake())
  const listener = createListener(connection, wakeAll)
  let prunedAt = 0
  const prune = async (limits?: MailboxLimits) => {
    prunedAt = Date.now()
    await pool.query(
      `DELETE FROM merge_sends WHERE at < clock_timestamp() - (
         SELECT greatest($1::float8, $2::float8, $3::float8,
           max((spec->'limits'->>'sendWindowMs')::float8),
           max((spec->'limits'->>'recipientWindowMs')::float8))
         FROM merge_jobs) ${MS}`,
      [SENDS_KEPT_MS, limits?.sendWindowMs ?? 0, limits?.recipientWindowMs ?? 0],
    )
  }

  const slotOf = (id: string, mailbox: string): Slot => {
    let released = false
    return {
      release() {
        if (released) return
        released = true
        // release() cannot wait: the deletion runs on its own, and a slot it fails to delete expires by itself.
        const done = pool
          .query(`WITH gone AS (DELETE FROM merge_slots WHERE id = $1) SELECT pg_notify($2, $3)`, [
            id,
            CHANNEL,
            mailbox,
          ])
          .catch(() => undefined)
          .finally(() => {
            releases.delete(done)
            wakeAll(mailbox)
          })
        releases.add(done)
      },
    }
  }

  return {
    async enter(name, limits, signal) {
      const mailbox = mailboxKey(name)
      await listener.ready()
      for (;;) {
        signal?.throwIfAborted()
        const waiter = waitFor(wakers, mailbox) // before looking: a release in between still wakes it
        try {
          const attempt = await inTransaction(pool, (client) =>
            tryEnter(client, mailbox, process_, limits.concurrent, options.slotLeaseMs),
          )
          if (attempt.id) return slotOf(attempt.id, mailbox)
          await waiter.wait(Math.min(attempt.waitMs, options.pollMs), signal)
        } finally {
          waiter.cancel()
        }
      }
    },

    async startSend(row, worker, limits) {
      checkRecipients(row, limits)
      const answer = await inTransaction(pool, (client) => startSend(client, row, worker, limits))
      if ('ok' in answer && Date.now() - prunedAt >= PRUNE_EVERY_MS) await prune(limits)
      return answer
    },

    prune,

    async pause(name, untilMs) {
      const delayMs = untilMs - Date.now() // the caller's clock turned into the database's
      if (delayMs <= 0) return
      await pool.query(
        `INSERT INTO merge_mailboxes (mailbox, paused_until) VALUES ($1, clock_timestamp() + $2::float8 ${MS})
         ON CONFLICT (mailbox) DO UPDATE
         SET paused_until = greatest(merge_mailboxes.paused_until, excluded.paused_until)`,
        [mailboxKey(name), delayMs],
      )
    },

    async close() {
      await Promise.all(releases)
      await listener.close()
    },
  }
}

/** Locks the mailbox's row (made on first use): every gate decision on a mailbox happens one at a time. */
async function lockMailbox(client: PoolClient, mailbox: string): Promise<number> {
  const select = `SELECT greatest(0, extract(epoch FROM paused_until - clock_timestamp()) * 1000)::float8 AS paused_ms
                  FROM merge_mailboxes WHERE mailbox = $1 FOR UPDATE`
  let { rows } = await client.query(select, [mailbox])
  if (rows.length === 0) {
    await client.query(
      'INSERT INTO merge_mailboxes (mailbox) VALUES ($1) ON CONFLICT (mailbox) DO NOTHING',
      [mailbox],
    )
    ;({ rows } = await client.query(select, [mailbox]))
  }
  return (rows[0].paused_ms as number | null) ?? 0
}

/** A slot's id, or how long to wait before looking again (pause, or until the first live slot expires). */
async function tryEnter(
  client: PoolClient,
  mailbox: string,
  worker: string,
  concurrent: number,
  slotLeaseMs: number,
): Promise<{ id?: string; waitMs: number }> {
  const pausedMs = await lockMailbox(client, mailbox)
  if (pausedMs > 0) return { waitMs: pausedMs }
  const { rows } = await client.query(
    `WITH now AS (SELECT clock_timestamp() AS t),
     gone AS (DELETE FROM merge_slots WHERE mailbox = $1 AND expires_at < (SELECT t FROM now)),
     live AS (SELECT count(*) AS n, min(expires_at) AS first FROM merge_slots, now
              WHERE mailbox = $1 AND expires_at >= now.t),
     added AS (INSERT INTO merge_slots (mailbox, worker, expires_at)
               SELECT $1, $2, now.t + $3::float8 ${MS} FROM now, live WHERE live.n < $4
               RETURNING id)
     SELECT (SELECT id FROM added)::text AS id,
            coalesce(extract(epoch FROM live.first - now.t) * 1000, 0)::float8 AS first_expiry_ms
     FROM live, now`,
    [mailbox, worker, slotLeaseMs, concurrent],
  )
  return { id: rows[0].id ?? undefined, waitMs: Math.max(1, rows[0].first_expiry_ms as number) }
}

/**
 * Under the mailbox's lock: the row still this worker's, the mailbox not paused, under both windows → `sending`, and
 * the attempt logged in merge_sends in the same statement.
 */
async function startSend(
  client: PoolClient,
  row: MergeRow,
  worker: string,
  limits: MailboxLimits,
): Promise<{ ok: true } | Wait | { held: false }> {
  await client.query(SYNCED) // the `sending` mark: on disk before the send
  const pausedMs = await lockMailbox(client, mailboxKey(row.mailbox))
  const held = await client.query(
    `SELECT 1 FROM merge_rows
     WHERE job = $1 AND row = $2 AND owner = $3 AND state IN ${ACTIVE_STATES_SQL} FOR UPDATE`,
    [row.job, row.row, worker],
  )
  if (held.rowCount === 0) return { held: false }
  if (pausedMs > 0) return { waitMs: pausedMs, reason: 'paused' }
  const { rows } = await client.query(
    `WITH now AS (SELECT clock_timestamp() AS t),
     counted AS (
       SELECT count(*) FILTER (WHERE at > now.t - $4::float8 ${MS}) AS sends,
         min(at) FILTER (WHERE at > now.t - $4::float8 ${MS}) AS oldest_send,
         coalesce(sum(recipients) FILTER (WHERE at > now.t - $6::float8 ${MS}), 0) AS recipients,
         min(at) FILTER (WHERE at > now.t - $6::float8 ${MS}) AS oldest_recipient
       FROM merge_sends, now
       WHERE mailbox = $1 AND at > now.t - greatest($4::float8, $6::float8) ${MS}),
     started AS (
       UPDATE merge_rows SET state = 'sending', attempts = attempts + 1, send_started_at = now.t, updated_at = now.t
       FROM now, counted
       WHERE job = $2 AND row = $3 AND owner = $9 AND counted.sends < $5 AND counted.recipients + $8 <= $7
       RETURNING 1),
     logged AS (
       INSERT INTO merge_sends (mailbox, at, recipients) SELECT $1, now.t, $8 FROM started, now)
     SELECT (SELECT count(*) FROM started)::int AS started,
       (counted.sends >= $5) AS over_sends,
       extract(epoch FROM counted.oldest_send + $4::float8 ${MS} - now.t) * 1000 AS send_wait_ms,
       extract(epoch FROM counted.oldest_recipient + $6::float8 ${MS} - now.t) * 1000 AS recipient_wait_ms
     FROM counted, now`,
    [
      mailboxKey(row.mailbox),
      row.job,
      row.row,
      limits.sendWindowMs,
      limits.sendsPerWindow,
      limits.recipientWindowMs,
      limits.recipientsPerWindow,
      row.recipients,
      worker,
    ],
  )
  const result = rows[0]
  if (result.started === 1) return { ok: true }
  return result.over_sends
    ? { waitMs: Math.max(1, Math.ceil(Number(result.send_wait_ms))), reason: 'rate' }
    : { waitMs: Math.max(1, Math.ceil(Number(result.recipient_wait_ms))), reason: 'recipients' }
}

/** A wake-up for `mailbox` registered now, awaited later: resolves on a wake, after `ms`, or rejects on abort. */
function waitFor(wakers: Map<string, Set<() => void>>, mailbox: string) {
  let woken = false
  let wake = () => {
    woken = true
  }
  const waker = () => wake()
  let set = wakers.get(mailbox)
  if (!set) wakers.set(mailbox, (set = new Set()))
  set.add(waker)
  return {
    wait(ms: number, signal?: AbortSignal): Promise<void> {
      if (woken) return Promise.resolve()
      return new Promise<void>((resolve, reject) => {
        const done = () => {
          clearTimeout(timer)
          signal?.removeEventListener('abort', abort)
          resolve()
        }
        const abort = () => {
          clearTimeout(timer)
          reject(signal!.reason)
        }
        const timer = setTimeout(done, ms)
        wake = done
        signal?.addEventListener('abort', abort, { once: true })
      })
    },
    cancel() {
      set.delete(waker)
      if (set.size === 0 && wakers.get(mailbox) === set) wakers.delete(mailbox)
    },
  }
}

/**
 * One connection LISTENing on the gate's channel, opened on the first enter(). If it cannot be opened or is lost,
 * waiters fall back to polling; the next enter() tries again.
 */
function createListener(connection: ClientConfig, wake: (mailbox: string) => void) {
  let client: pg.Client | undefined
  let opening: Promise<void> | undefined
  const open = async () => {
    const candidate = new pg.Client(connection)
    candidate.on('error', () => {
      if (client === candidate) client = undefined
      candidate.end().catch(() => undefined)
    })
    candidate.on('notification', (message) => {
      if (message.payload) wake(message.payload)
    })
    try {
      await candidate.connect()
      await candidate.query(`LISTEN ${CHANNEL}`)
      client = candidate
    } catch {
      await candidate.end().catch(() => undefined)
    }
  }
  return {
    async ready() {
      if (client) return
      opening ??= open().finally(() => (opening = undefined))
      await opening
    },
    async close() {
      await opening
      const closing = client
      client = undefined
      await closing?.end().catch(() => undefined)
    },
  }
}
