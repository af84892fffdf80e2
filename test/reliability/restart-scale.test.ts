/**
 * Restart and scale, black-box: sessions (and their token caches) survive an app restart on the SQLite file store and
 * on Redis; two instances sharing Redis serve one user alternately — sign-in started on one and finished on the other,
 * sends on both, and a disconnect on either kills the cookie on both.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import type { DemoUser, EmulatorClient } from '../../src/emulator/index.ts'
import type { Browser } from '../kit/browser.ts'
import { scratchDir } from '../kit/scratch-dir.ts'
import { RELIABILITY, startSystem, type AppInstance, type System } from '../kit/system.ts'
import { TEST_REDIS_URL } from '../kit/test-redis.ts'

const prefix = `gc-rel-scale-${process.pid}-${Date.now()}:`
const secret = 'reliability-secret-scale-0123456789-abcdefgh'
let system: System
let emulator: EmulatorClient
let adele: DemoUser
let megan: string
const results: string[] = []

before(async () => {
  system = await startSystem(RELIABILITY)
  emulator = system.client
  adele = system.user('adele')
  megan = system.user('megan').userPrincipalName
})

after(async () => {
  const redis = new Redis(TEST_REDIS_URL)
  const keys = await redis.keys(`${prefix}*`)
  if (keys.length) await redis.del(...keys)
  redis.disconnect()
  await system?.close()
  console.log(`restart and scale: ${results.join('; ')}`)
})

async function sendOk(client: Browser, subject: string): Promise<void> {
  const { page } = await client.sendFromPage({ to: megan, subject, body: 'x' })
  assert.equal(page.banner?.kind, 'success', `${subject}: ${page.banner?.text}`)
}

const stores: [string, (dir: string) => Record<string, string>][] = [
  ['SQLite file', (dir) => ({ STORE: 'sqlite', SQLITE_PATH: join(dir, 'app.sqlite') })],
  [
    'Redis',
    () => ({
      STORE: 'redis',
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: `${prefix}restart:`,
      SESSION_SECRET: secret,
    }),
  ],
]

for (const [name, settings] of stores) {
  test(`restart (${name}): sign in, close the app, build a new one on the same store — the cookie still works and sends`, async () => {
    const scratch = scratchDir()
    const env = settings(scratch.dir)
    let app: AppInstance | undefined = await system.startApp({ env })
    const port = Number(new URL(app.url).port)
    try {
      const client = app.browser()
      await client.signInHome(adele)
      await sendOk(client, `restart ${name} before`)
      const cookie = client.cookieHeader()
      await app.close()
      app = undefined
      assert.equal(
        await client.get('/healthz').then(
          () => 'up',
          () => 'down',
        ),
        'down',
        'the first app is gone',
      )

      app = await system.startApp({ env, port })
      const mark = await emulator.mark()
      const page = await client.home()
      assert.equal(client.cookieHeader(), cookie, 'the same cookie')
      assert.ok(page.signedIn, 'still signed in after the restart')
      await sendOk(client, `restart ${name} after`)
      assert.equal(
        (await emulator.journal({ since: mark, path: /\/oauth2\/v2\.0\/authorize$/ })).length,
        0,
        'no new sign-in was needed',
      )
      results.push(`${name} restart: session and token cache survived`)
    } finally {
      await app?.close()
      scratch.remove()
    }
  })
}

/** Sign-in started on A, callback answered by B: signed in on both. */
async function signInAcross(client: Browser, A: string, B: string, publicUrl: string) {
  const start = await client.get(`${A}/connect`)
  assert.equal(start.status, 302)
  const left = await client.signInAtEmulator(start.location!, adele)
  const callback = new URL(left.location!)
  assert.equal(callback.origin, publicUrl)
  const done = await client.get(`${B}${callback.pathname}${callback.search}`)
  assert.equal(done.status, 303, 'the pending sign-in made on A is completed by B')
  assert.ok((await client.home(A)).signedIn)
  assert.ok((await client.home(B)).signedIn)
}

/** 50 sends, each form from one instance and its POST to the other; how many failed. */
async function alternatingSends(client: Browser, A: string, B: string): Promise<number> {
  let errors = 0
  for (let i = 0; i < 50; i++) {
    const [formFrom, postTo] = i % 2 ? [A, B] : [B, A]
    const fields = await client.sendFields(
      { to: megan, subject: `scale ${prefix} #${i}`, body: 'x' },
      formFrom,
    )
    const response = await client.post(`${postTo}/send`, fields)
    const page = await client.home(i % 3 ? A : B)
    if (response.status !== 303 || page.banner?.kind !== 'success') errors++
  }
  return errors
}

/** A cookie that signs in nowhere: each instance answers it with the Connect page. */
async function assertCookieDead(cookie: string, instances: Record<string, string>): Promise<void> {
  for (const [name, base] of Object.entries(instances)) {
    const page = await fetch(`${base}/`, { headers: { cookie } })
    assert.doesNotMatch(await page.text(), /<h1 id="hi"/, `the old cookie is dead on ${name}`)
  }
}

test('scale (RE-08): two instances sharing Redis — sign-in across them, 50 alternating sends, disconnect on either kills the cookie on both', async () => {
  const env = {
    STORE: 'redis',
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: `${prefix}scale:`,
    SESSION_SECRET: secret,
  }
  const a = await system.startApp({ env })
  const publicUrl = a.url // the load balancer's origin; both instances are configured with it
  const b = await system.startApp({ env: { ...env, PUBLIC_URL: publicUrl } })
  try {
    const A = a.url
    const B = b.url
    const client = a.browser()
    await signInAcross(client, A, B, publicUrl)

    // 50 sends alternating: the form from one instance, the POST to the other.
    const mark = await emulator.mark()
    assert.equal(await alternatingSends(client, A, B), 0)
    const sends = () => emulator.journal({ since: mark, method: 'POST', path: 'sendMail' })
    assert.equal((await sends()).length, 50)
    // A double submit across instances still sends once (the claim is in Redis).
    const fields = await client.sendFields(
      { to: megan, subject: `scale ${prefix} double`, body: 'x' },
      A,
    )
    const twice = await Promise.all([
      client.post(`${A}/send`, fields),
      client.post(`${B}/send`, fields),
    ])
    assert.deepEqual(
      twice.map((response) => response.status),
      [303, 303],
    )
    assert.equal((await sends()).length, 51)

    // Disconnect on B: the cookie is dead on A and on B.
    const stale = client.cookieHeader()
    const csrf = (await client.home(B)).csrf!
    const out = await client.post(`${B}/disconnect`, { _csrf: csrf })
    assert.equal(out.status, 303)
    await assertCookieDead(stale, { A, B })
    // And the other way round: sign in again (on B), disconnect on A.
    const second = b.browser()
    await second.signInHome(adele, B, publicUrl) // started on B; the reply URL is the balancer's (A)
    const staleTwo = second.cookieHeader()
    const outTwo = await second.post(`${A}/disconnect`, { _csrf: (await second.home(A)).csrf! })
    assert.equal(outTwo.status, 303)
    await assertCookieDead(staleTwo, { A, B })
    results.push(
      'two instances on Redis: cross-instance sign-in ok, 50/50 alternating sends, double submit across instances sent once, disconnect on either killed the cookie on both',
    )
  } finally {
    await a.close()
    await b.close()
  }
})
