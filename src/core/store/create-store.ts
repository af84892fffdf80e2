/** `createStore`: opens the configured Store backend (SQLite, Redis or memory). */
import type { StoreConfig } from '../config-store.ts'
import type { Store } from './store.ts'

/**
 * Opens the configured store. Redis is connected lazily and recovers by itself; SQLite creates its folder.
 * The backend is imported when chosen: a SQLite user never loads ioredis, nor a Redis user node:sqlite.
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
