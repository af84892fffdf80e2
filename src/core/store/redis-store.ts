/** `createRedisStore`: the Store for several instances (ioredis). Fails fast and closed while Redis is down. */
import { Redis } from 'ioredis'
import { storeUnavailable, ttlMilliseconds, type Store } from './store.ts'

const TIMEOUT_MS = 1000 // connect and per-command timeout: an outage becomes ERR_STORE_UNAVAILABLE within 2 s
const MAX_RECONNECT_DELAY_MS = 1000

/** The client and the last error it reported (the cause given when a command fails without one). */
interface Connection {
  redis: Redis
  lastError: unknown
}

/** Connects (or keeps trying in the background) and reconnects by itself after an outage. */
export async function createRedisStore(url: string, keyPrefix: string): Promise<Store> {
  const connection = await connect(url, keyPrefix)
  const { redis } = connection
  const run = <T>(operation: () => Promise<T>) => runCommand(connection, operation)
  return {
    get: <T>(key: string) => run(async () => parse<T>(await redis.get(key))),
    async set(key, value, ttlSeconds) {
      const milliseconds = ttlMilliseconds(ttlSeconds)
      await run(() => redis.set(key, JSON.stringify(value), 'PX', milliseconds))
    },
    async delete(key) {
      await run(() => redis.del(key))
    },
    take: <T>(key: string) => run(async () => parse<T>(await redis.getdel(key))),
    async setIfAbsent(key, value, ttlSeconds) {
      const milliseconds = ttlMilliseconds(ttlSeconds)
      const answer = await run(() =>
        redis.set(key, JSON.stringify(value), 'PX', milliseconds, 'NX'),
      )
      return answer === 'OK'
    },
    increment: (key, ttlSeconds) => increment(connection, key, ttlSeconds),
    async ping() {
      await run(() => redis.ping())
    },
    async close() {
      redis.disconnect()
    },
  }
}

/** Starts connected when Redis is up; when it is down, starts anyway (readiness says 503) and keeps trying. */
async function connect(url: string, keyPrefix: string): Promise<Connection> {
  const redis = new Redis(url, {
    keyPrefix,
    enableOfflineQueue: false, // commands issued while disconnected reject at once instead of queueing
    maxRetriesPerRequest: 0, // in-flight commands reject when the connection drops
    connectTimeout: TIMEOUT_MS,
    commandTimeout: TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS), // never give up
    lazyConnect: true,
  })
  const connection: Connection = { redis, lastError: undefined }
  redis.on('error', (error) => {
    connection.lastError = error // without a listener ioredis would crash the process
  })
  await redis.connect().catch((error: unknown) => {
    connection.lastError ??= error // the 'error' event's cause (ECONNREFUSED…) beats "Connection is closed."
  })
  return connection
}

async function runCommand<T>(connection: Connection, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation()
  } catch (error) {
    // Offline, ioredis says only "Stream isn't writeable": the connection's own error (ECONNREFUSED…) says why.
    const offline = connection.redis.status !== 'ready' && connection.lastError
    throw storeUnavailable(offline ? connection.lastError : (error ?? connection.lastError))
  }
}

function parse<T>(json: string | null): T | undefined {
  return json === null ? undefined : (JSON.parse(json) as T)
}

/** The window starts at the first hit (SET NX PX) and is not extended by later hits (INCR keeps the TTL). */
async function increment(connection: Connection, key: string, ttlSeconds: number) {
  const { redis } = connection
  const milliseconds = ttlMilliseconds(ttlSeconds)
  const results = await runCommand(connection, () =>
    redis.multi().set(key, '0', 'PX', milliseconds, 'NX').incr(key).exec(),
  )
  const failed = results?.find(([error]) => error)
  if (!results || failed)
    throw storeUnavailable(failed?.[0] ?? new Error('Redis transaction aborted'))
  return Number(results[1]![1])
}
