/** The one storage seam: sessions, one-time sign-in records, token caches and rate-limit counters. */
import type { StoreConfig } from '../config.ts'
import { AppError } from '../errors.ts'

/**
 * A key-value store with TTLs. Values are JSON. Every method rejects with ERR_STORE_UNAVAILABLE when the backend
 * cannot answer: a failed read is an error, never "absent".
 */
export interface Store {
  get<T>(key: string): Promise<T | undefined>
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>
  delete(key: string): Promise<void>
  /** Atomic get-and-delete, for one-time records: of two concurrent takes, one gets the value. */
  take<T>(key: string): Promise<T | undefined>
  /** Sets only when the key is absent (or expired); true when this call set it. */
  setIfAbsent(key: string, value: unknown, ttlSeconds: number): Promise<boolean>
  /** Fixed-window counter: the first increment starts a window of ttlSeconds; returns the count in the window. */
  increment(key: string, ttlSeconds: number): Promise<number>
  ping(): Promise<void>
  close(): Promise<void>
}

/**
 * Opens the configured store. Redis is connected lazily and recovers by itself; SQLite creates its folder.
 * @example const store = await createStore(config.store)
 */
export async function createStore(config: StoreConfig): Promise<Store> {
  switch (config.kind) {
    case 'sqlite':
      return (await import('./sqlite-store.ts')).createSqliteStore(config.path)
    case 'redis':
      return (await import('./redis-store.ts')).createRedisStore(config.url, config.keyPrefix)
    case 'memory':
      return (await import('./memory-store.ts')).createMemoryStore()
  }
}

/** TTLs are positive seconds (fractions allowed); anything else is a programming error. */
export function ttlMilliseconds(ttlSeconds: number): number {
  if (!(ttlSeconds > 0) || !Number.isFinite(ttlSeconds))
    throw new TypeError(`ttlSeconds must be a positive number, got ${ttlSeconds}`)
  return Math.ceil(ttlSeconds * 1000)
}

export function storeUnavailable(cause: unknown): AppError {
  if (cause instanceof AppError) return cause
  return new AppError('ERR_STORE_UNAVAILABLE', { cause })
}
