/**
 * RE-07 and RE-10, black-box: Redis down (cut at a TCP proxy) or hung (black-holed): pages answer 503 within 2 s,
 * /readyz 503, /healthz 200, POST /send 503 without a sendMail, the process stays up; when Redis returns the app
 * recovers by itself and the existing session (Redis kept it) works again.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { Redis } from 'ioredis'
import type { EmulatorClient } from '../../src/emulator/index.ts'
import type { Browser } from '../kit/browser.ts'
import { RELIABILITY, startSystem, type AppInstance, type System } from '../kit/system.ts'
import { startTcpProxy, type ProxyMode, type TcpProxy } from '../kit/tcp-proxy.ts'
import { TEST_REDIS_URL, testRedisAddress } from '../kit/test-redis.ts'

const prefix = `gc-rel-re07-${process.pid}-${Date.now()}:`
let system: System
let emulator: EmulatorClient
let proxy: TcpProxy
let app: AppInstance
let client: Browser
let megan: string

before(async () => {
  system = await startSystem(RELIABILITY)
  emulator = system.client
  proxy = await startTcpProxy(testRedisAddress())
  app = await system.startApp({
    env: { STORE: 'redis', REDIS_URL: proxy.url, REDIS_KEY_PREFIX: prefix },
  })
  client = app.browser()
  const adele = system.user('adele')
  megan = system.user('megan').userPrincipalName
  await client.signInHome(adele)
})

after(async () => {
  await app?.close()
  await proxy?.close()
  const redis = new Redis(TEST_REDIS_URL)
  const keys = await redis.keys(`${prefix}*`)
  if (keys.length) await redis.del(...keys)
  redis.disconnect()
  await system?.close()
})

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now()
  const value = await run()
  return { value, ms: Date.now() - started }
}

for (const mode of ['refuse', 'blackhole'] as ProxyMode[]) {
  const what =
    mode === 'refuse'
      ? 'down (connections refused)'
      : 'hung (black-holed: connected, never answers)'
  test(`RE-07/RE-10 Redis ${what} → 503 within 2 s, /readyz 503, /healthz 200, no sendMail; recovery by itself`, async () => {
    const fields = await client.sendFields({
      to: megan,
      subject: `RE-07 ${mode}`,
      body: 'while Redis is away',
    })
    proxy.setMode(mode)
    const mark = await emulator.mark()

    const home = await timed(() => client.get('/'))
    assert.equal(home.value.status, 503, home.value.body.slice(0, 300))
    assert.ok(home.ms < 2000, `GET / took ${home.ms} ms`)
    assert.ok(Number(home.value.headers.get('retry-after')) >= 1, 'Retry-After')
    assert.doesNotMatch(
      home.value.body,
      /Connect to Microsoft 365|Hi, /,
      'a store error is neither "signed in" nor "signed out"',
    )

    const ready = await timed(() => client.get('/readyz'))
    assert.equal(ready.value.status, 503)
    assert.ok(ready.ms < 2000, `/readyz took ${ready.ms} ms`)
    const health = await client.get('/healthz')
    assert.equal(health.status, 200)

    const send = await timed(() => client.post('/send', fields))
    assert.equal(send.value.status, 503)
    assert.ok(send.ms < 2000, `POST /send took ${send.ms} ms`)
    const connect = await timed(() => client.get('/connect'))
    assert.equal(connect.value.status, 503, 'no sign-in without the store')
    assert.ok(connect.ms < 2000)
    const sends = await emulator.journal({ since: mark, method: 'POST', path: 'sendMail' })
    assert.equal(sends.length, 0)
    assert.equal(
      (await emulator.journal({ since: mark, path: '/oauth2/' })).length,
      0,
      'no identity traffic either',
    )

    proxy.setMode('pass')
    const recoveredIn = await client.waitReady(10_000)
    assert.ok(recoveredIn < 10_000)
    const page = await client.home()
    assert.ok(page.signedIn, 'the session Redis kept still works')
    const sent = await client.sendFromPage({ to: megan, subject: `RE-07 after ${mode}`, body: 'x' })
    assert.equal(sent.page.banner?.kind, 'success', sent.page.banner?.text)
  })
}

test('RE-07 Redis down before the first request of a fresh visitor → 503 (never a silent in-memory session)', async () => {
  proxy.setMode('refuse')
  const stranger = app.browser()
  const page = await stranger.get('/connect')
  assert.equal(page.status, 503)
  assert.equal(stranger.jar().cookies.size, 0, 'no session cookie handed out')
  proxy.setMode('pass')
  await stranger.waitReady()
})
