/** The one storage seam (`Store`) and the helpers its backends share; `createStore` (create-store.ts) opens one. */
import { AppError } from '../errors.ts'

/**
 * A key-value store with TTLs. Values are JSON. Every method rejects with ERR_STORE_UNAVAILABLE when the backend
 * cannot answer: a failed read is an error, never "absent".
 */
export interface Store {
  /** The live value of `key`, or undefined when it is absent or expired. */
  get<T>(key: string): Promise<T | undefined>
  /** Writes `value` (JSON) for `ttlSeconds` (positive; fractions allowed). */
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>
  delete(key: string): Promise<void>
  /** Atomic get-and-delete, for one-time records: of two concurrent takes, one gets the value. */
  take<T>(key: string): Promise<T | undefined>
  /** Sets only when the key is absent (or expired); true when this call set it. */
  setIfAbsent(key: string, value: unknown, ttlSeconds: number): Promise<boolean>
  /** Fixed-window counter: the first increment starts a window of ttlSeconds; returns the count in the window. */
  increment(key: string, ttlSeconds: number): Promise<number>
  /** Resolves when the backend answers (readiness). */
  ping(): Promise<void>
  close(): Promise<void>
}

/** TTLs are positive seconds (fractions allowed); anything else is a programming error. */
export function ttlMilliseconds(ttlSeconds: number): number {
  if (!(ttlSeconds > 0) || !Number.isFinite(ttlSeconds))
    throw new TypeError(`ttlSeconds must be a positive number, got ${ttlSeconds}`)
  return Math.ceil(ttlSeconds * 1000)
}

/** Any backend failure as ERR_STORE_UNAVAILABLE (our own errors pass through). */
export function storeUnavailable(cause: unknown): AppError {
  if (cause instanceof AppError) return cause
  return new AppError('ERR_STORE_UNAVAILABLE', { cause })
}
