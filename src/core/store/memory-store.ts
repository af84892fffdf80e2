/** `createMemoryStore`: an in-memory Store (STORE=memory, unit tests): one process, lost on exit. */
import { ttlMilliseconds, type Store } from './store.ts'

interface Entry {
  json: string
  expiresAt: number
}

export function createMemoryStore(): Store {
  const entries = new Map<string, Entry>()
  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key)
    if (entry && entry.expiresAt <= Date.now()) {
      entries.delete(key)
      return undefined
    }
    return entry
  }
  const put = (key: string, value: unknown, ttlSeconds: number) => {
    entries.set(key, {
      json: JSON.stringify(value),
      expiresAt: Date.now() + ttlMilliseconds(ttlSeconds),
    })
  }
  return {
    async get<T>(key: string) {
      const entry = live(key)
      return entry ? (JSON.parse(entry.json) as T) : undefined
    },
    async set(key, value, ttlSeconds) {
      put(key, value, ttlSeconds)
    },
    async delete(key) {
      entries.delete(key)
    },
    async take<T>(key: string) {
      const entry = live(key)
      entries.delete(key)
      return entry ? (JSON.parse(entry.json) as T) : undefined
    },
    async setIfAbsent(key, value, ttlSeconds) {
      if (live(key)) return false
      put(key, value, ttlSeconds)
      return true
    },
    async increment(key, ttlSeconds) {
      const entry = live(key)
      const count = entry ? Number(entry.json) + 1 : 1
      entries.set(key, {
        json: String(count),
        expiresAt: entry?.expiresAt ?? Date.now() + ttlMilliseconds(ttlSeconds),
      })
      return count
    },
    async ping() {},
    async close() {
      entries.clear()
    },
  }
}
