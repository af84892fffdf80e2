/** `inTransaction`: runs `work` on one pooled connection inside BEGIN … COMMIT, rolled back if it throws. */
import type { Pool, PoolClient } from 'pg'

/** In a transaction: its commit waits for the disk (the journal's connections commit asynchronously otherwise). */
export const SYNCED = 'SET LOCAL synchronous_commit = on'

export async function inTransaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    const result = await work(client)
    await client.query('COMMIT')
    client.release()
    return result
  } catch (error) {
    // A connection whose rollback fails is broken: destroyed rather than handed to the next caller.
    const broken = await client.query('ROLLBACK').then(
      () => undefined,
      (rollbackError: Error) => rollbackError,
    )
    client.release(broken)
    throw error
  }
}
