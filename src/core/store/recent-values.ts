/**
 * The JSON text of recently read or written store values, least recently used out first, within a byte budget.
 * Only for a store that no other process can write (see sqlite-store.ts): it is never told of outside changes.
 * An entry is served until its store expiry, like the row it mirrors.
 */
export interface RecentValues {
  get(key: string, now: number): string | undefined
  set(key: string, json: string, expiresAt: number): void
  delete(key: string): void
  clear(): void
}

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
