/** `createRecentValues`: the JSON text of recently used store values within a byte budget (sqlite-store's memo). */

export interface RecentValues {
  /** The JSON text kept for `key`, unless it expired by `now`. */
  get(key: string, now: number): string | undefined
  set(key: string, json: string, expiresAt: number): void
  delete(key: string): void
  clear(): void
}

/**
 * Every page view reads its session and every send its token cache: kept here, a repeated read skips the SQLite
 * statement. Least recently used out first; an entry is served until its store expiry, like the row it mirrors.
 * Only for a store that no other process can write (sqlite-store.ts holds an exclusive lock): it is never told of
 * outside changes.
 */
export function createRecentValues(budgetBytes: number): RecentValues {
  const entries = new Map<string, { json: string; expiresAt: number }>()
  let bytes = 0
  const size = (key: string, json: string) => 2 * (key.length + json.length) // UTF-16 upper bound, whatever V8 stores

  function remove(key: string): void {
    const entry = entries.get(key)
    if (!entry) return
    entries.delete(key)
    bytes -= size(key, entry.json)
  }

  return {
    get(key, now) {
      const entry = entries.get(key)
      if (!entry) return undefined
      remove(key)
      if (entry.expiresAt <= now) return undefined
      entries.set(key, entry) // most recently used last
      bytes += size(key, entry.json)
      return entry.json
    },
    set(key, json, expiresAt) {
      remove(key)
      const cost = size(key, json)
      if (cost > budgetBytes / 16) return // one value never takes a large share of the budget
      entries.set(key, { json, expiresAt })
      bytes += cost
      for (const oldest of entries.keys()) {
        if (bytes <= budgetBytes) break
        remove(oldest)
      }
    },
    delete: remove,
    clear() {
      entries.clear()
      bytes = 0
    },
  }
}
