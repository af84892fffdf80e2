/** The Store contract on every backend (SQLite, memory, real Redis), and Redis outages: fail fast, recover. */
import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from 'ioredis'
import { createStore } from './create-store.ts'
import type { Store } from './store.ts'
import { AppError } from '../errors.ts'
import { TEST_REDIS_URL } from '../../../test/kit/test-redis.ts'

const REDIS_URL = TEST_REDIS_URL
const redisPrefix = `graph-connect-test:${randomUUID()}:`

async function requireRedis(): Promise<void> {
  const probe = new Redis(REDIS_URL, {
    lazyConnect: true,
    enableOfflineQueue: false,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  })
  probe.on('error', () => {})
  try {
    await probe.connect()
    await probe.ping()
  } catch {
    assert.fail(
      `Redis is not reachable at ${REDIS_URL}. Run the suite with npm test (it starts a private Redis), or start one: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save ""`,
    )
  } finally {
    probe.disconnect()
  }
}

const backends: Record<string, () => Promise<Store>> = {
  memory: () => createStore({ kind: 'memory' }),
  sqlite: () =>
    createStore({
      kind: 'sqlite',
      path: join(mkdtempSync(join(tmpdir(), 'gc-store-')), 'store.sqlite'),
    }),
  redis: async () => {
    await requireRedis()
    return createStore({ kind: 'redis', url: REDIS_URL, keyPrefix: redisPrefix })
  },
}

after(async () => {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, retryStrategy: () => null })
  redis.on('error', () => {})
  try {
    await redis.connect()
    const keys = await redis.keys(`${redisPrefix}*`)
    if (keys.length) await redis.del(...keys)
  } catch {
    // nothing to clean when Redis was never reachable; the redis suite already failed with the reason
  } finally {
    redis.disconnect()
  }
})

for (const [name, open] of Object.entries(backends)) {
  describe(`Store contract: ${name}`, () => {
    let store: Store
    const key = (suffix: string) => `${name}:${suffix}:${randomUUID()}`
    test('opens and answers ping', async () => {
      store = await open()
      await store.ping()
    })

    test('set then get returns an equal JSON value; delete removes it', async () => {
      const entryKey = key('value')
      const value = { a: 1, b: ['x', null], c: 'é' }
      await store.set(entryKey, value, 60)
      assert.deepEqual(await store.get(entryKey), value)
      await store.set(entryKey, 'replaced', 60)
      assert.equal(await store.get(entryKey), 'replaced')
      await store.delete(entryKey)
      assert.equal(await store.get(entryKey), undefined)
      await store.delete(entryKey)
    })

    test('values expire after their TTL', async () => {
      const entryKey = key('ttl')
      await store.set(entryKey, 1, 0.15)
      assert.equal(await store.get(entryKey), 1)
      await sleep(250)
      assert.equal(await store.get(entryKey), undefined)
      assert.equal(await store.take(entryKey), undefined)
    })

    test('take returns the value once, even to concurrent callers', async () => {
      const entryKey = key('take')
      await store.set(entryKey, { state: 's' }, 60)
      const results = await Promise.all(Array.from({ length: 10 }, () => store.take(entryKey)))
      assert.equal(results.filter((result) => result !== undefined).length, 1)
      assert.equal(await store.get(entryKey), undefined)
    })

    test('setIfAbsent sets once, and again after expiry', async () => {
      const entryKey = key('nx')
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => store.setIfAbsent(entryKey, i, 0.2)),
      )
      assert.equal(results.filter(Boolean).length, 1)
      assert.equal(await store.get(entryKey), results.indexOf(true))
      await sleep(300)
      assert.equal(await store.setIfAbsent(entryKey, 'again', 60), true)
      assert.equal(await store.get(entryKey), 'again')
    })

    test('increment counts in a fixed window that later hits do not extend', async () => {
      const entryKey = key('counter')
      const counts = await Promise.all(
        Array.from({ length: 5 }, () => store.increment(entryKey, 0.3)),
      )
      assert.deepEqual(counts.sort(), [1, 2, 3, 4, 5])
      await sleep(200)
      assert.equal(await store.increment(entryKey, 0.3), 6)
      await sleep(200)
      assert.equal(await store.increment(entryKey, 0.3), 1)
    })

    test('a non-positive TTL is a programming error', async () => {
      await assert.rejects(store.set(key('bad'), 1, 0), TypeError)
    })

    test('closes', async () => {
      await store.close()
    })
  })
}

describe('Redis outage', () => {
  const children: ChildProcess[] = []
  after(() => children.forEach((child) => child.kill('SIGKILL')))

  async function freePort(): Promise<number> {
    const server = createServer().listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    const { port } = server.address() as { port: number }
    await new Promise((resolve) => server.close(resolve))
    return port
  }
  async function startRedis(port: number): Promise<ChildProcess> {
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    )
    children.push(child)
    for (let attempt = 0; ; attempt++) {
      const probe = new Redis(port, '127.0.0.1', {
        lazyConnect: true,
        retryStrategy: () => null,
        maxRetriesPerRequest: 0,
      })
      probe.on('error', () => {})
      try {
        await probe.connect()
        await probe.ping()
        return child
      } catch (error) {
        if (attempt > 50) throw error
        await sleep(50)
      } finally {
        probe.disconnect()
      }
    }
  }

  test('commands fail with ERR_STORE_UNAVAILABLE within 2 s while Redis is down, and work again when it returns', async () => {
    const port = await freePort()
    let server = await startRedis(port)
    const store = await createStore({
      kind: 'redis',
      url: `redis://127.0.0.1:${port}`,
      keyPrefix: 'outage:',
    })
    await store.set('k', 'v', 60)
    server.kill('SIGKILL')
    await new Promise((resolve) => server.once('exit', resolve))

    for (const operation of [
      () => store.get('k'),
      () => store.ping(),
      () => store.take('k'),
      () => store.increment('c', 60),
    ]) {
      const started = performance.now()
      await assert.rejects(
        operation(),
        (error: unknown) => error instanceof AppError && error.code === 'ERR_STORE_UNAVAILABLE',
      )
      assert.ok(performance.now() - started < 2000, 'failed fast')
    }

    server = await startRedis(port)
    const deadline = Date.now() + 10_000
    for (;;) {
      try {
        await store.ping()
        break
      } catch (error) {
        if (Date.now() > deadline) throw error
        await sleep(100)
      }
    }
    assert.equal(await store.get('k'), undefined) // the new server starts empty; what matters is it answers
    await store.close()
  })

  test('a store created while Redis is down starts, fails fast, and is not "empty"', async () => {
    const port = await freePort()
    const store = await createStore({
      kind: 'redis',
      url: `redis://127.0.0.1:${port}`,
      keyPrefix: 'down:',
    })
    await assert.rejects(store.get('k'), { code: 'ERR_STORE_UNAVAILABLE' })
    await store.close()
  })
})
