/**
 * SE-20: an anonymous request writes nothing to the store, and the anonymous writes that a sign-in needs (the pending
 * sign-in of /connect) are rate-limited per client. Black-box: the app on Redis under its own key prefix, whose keys
 * are counted before and after.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes, randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from 'ioredis'
import { SECURITY, startSystem, type AppInstance, type System } from '../kit/system.ts'
import { TEST_REDIS_URL } from '../kit/test-redis.ts'

const prefix = `gc-security-anon-${randomUUID()}:`
const signInLimit = 5
let system: System
let app: AppInstance
let redis: Redis

before(async () => {
  system = await startSystem(SECURITY)
  app = await system.startApp({
    store: 'redis',
    redisKeyPrefix: prefix,
    env: { SIGNIN_LIMIT_PER_MINUTE: String(signInLimit) },
  })
  redis = new Redis(TEST_REDIS_URL, { lazyConnect: true })
  await redis.connect()
})

after(async () => {
  await redis?.quit()
  await system?.close()
})

/** The limits use fixed one-minute windows: start a burst well inside one, so it cannot straddle two. */
async function freshWindow(): Promise<void> {
  const intoMinute = Date.now() % 60_000
  if (intoMinute > 50_000) await sleep(60_000 - intoMinute + 200)
}

/** Every key the app holds in Redis. */
async function keys(): Promise<string[]> {
  const found: string[] = []
  for await (const batch of redis.scanStream({ match: `${prefix}*`, count: 500 }))
    found.push(...(batch as string[]))
  return found.map((key) => key.slice(prefix.length)).sort()
}

/** An anonymous POST /send, as a form on the app's own page would post it (same origin), with `cookie` if given. */
function anonymousSend(cookie?: string): Promise<Response> {
  const body = new URLSearchParams({ to: 'adele@contoso.test', subject: 'hi', body: 'hello' })
  return fetch(`${app.url}/send`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      origin: app.url,
      'content-type': 'application/x-www-form-urlencoded',
      ...(cookie ? { cookie } : {}),
    },
    body,
  })
}

describe('SE-20 anonymous requests and the store', () => {
  test('SE-20 300 anonymous POST /send (no cookie, or an unknown session cookie) write nothing; the redirect carries the notice', async () => {
    const initial = await keys()
    const answers = await Promise.all(
      Array.from({ length: 300 }, (_, index) =>
        anonymousSend(index % 2 ? `session=${randomBytes(32).toString('base64url')}` : undefined),
      ),
    )
    for (const answer of answers) {
      assert.equal(answer.status, 303)
      assert.equal(answer.headers.get('location'), '/?notice=signed-out')
      const handedOut = answer.headers
        .getSetCookie()
        .filter((cookie) => !/Expires=Thu, 01 Jan 1970/i.test(cookie))
      assert.deepEqual(handedOut, [], 'no cookie handed out (an unknown one is only cleared)')
    }
    assert.deepEqual(await keys(), initial, 'not one key written')
    const page = await (await fetch(`${app.url}/?notice=signed-out`)).text()
    assert.match(page, /Your session has ended\. Connect again to send mail\./)
    assert.doesNotMatch(
      await (await fetch(`${app.url}/?notice=<b>x</b>`)).text(),
      /Your session has ended|<b>x<\/b>/,
      'only the one known notice is shown',
    )
  })

  test('SE-20 anonymous /connect writes one pending sign-in each, up to the per-client limit, then 429 and nothing more', async () => {
    const pending = async () => (await keys()).filter((key) => key.startsWith('signin:')).length
    await freshWindow()
    const initial = await pending()
    const statuses: number[] = []
    for (let index = 0; index < signInLimit + 10; index++) {
      const answer = await fetch(`${app.url}/connect`, { redirect: 'manual' })
      statuses.push(answer.status)
    }
    assert.deepEqual(statuses.slice(0, signInLimit), Array(signInLimit).fill(302))
    assert.deepEqual(statuses.slice(signInLimit), Array(10).fill(429))
    assert.ok(
      (await pending()) - initial <= signInLimit + 1,
      'pending sign-ins bounded by the limit',
    )
  })
})
