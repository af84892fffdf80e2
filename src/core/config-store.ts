/** `readStore`: which Store backend holds sessions and token caches (STORE, SQLITE_PATH, REDIS_URL). */
import { configDefaults as defaults } from './config-defaults.ts'
import type { SettingsReader } from './config-parsers.ts'

export type StoreConfig =
  | { kind: 'sqlite'; path: string }
  | { kind: 'redis'; url: string; keyPrefix: string }
  | { kind: 'memory' }

/** STORE and its backend's settings; memory is refused in production. */
export function readStore(read: SettingsReader, production: boolean): StoreConfig {
  const kind = read.oneOf('STORE', ['sqlite', 'redis', 'memory'] as const, defaults.STORE)
  if (kind === 'memory' && production) {
    read.problem(
      'STORE',
      'memory loses every session on restart and cannot be shared; it is for tests only.',
      'Set STORE=sqlite (one instance) or STORE=redis (several).',
    )
  }
  if (kind === 'sqlite') return { kind, path: read.string('SQLITE_PATH', defaults.SQLITE_PATH) }
  if (kind === 'memory') return { kind }
  const url = read.raw('REDIS_URL')
  if (!url || !/^rediss?:\/\/[^\s]+$/.test(url)) {
    read.problem(
      'REDIS_URL',
      url ? 'is not a redis:// or rediss:// URL.' : 'is required when STORE=redis.',
      'Set REDIS_URL=redis://127.0.0.1:6379 (add a password as redis://:password@host:6379).',
    )
  }
  const keyPrefix = read.string('REDIS_KEY_PREFIX', defaults.REDIS_KEY_PREFIX)
  return { kind, url: url ?? '', keyPrefix }
}
