/**
 * Session requirements SE-01…SE-05, black-box over HTTP with cookie jars (SQLite and Redis stores), and a real
 * cross-site sign-in in Chromium (app on 127.0.0.1, emulator on localhost: two sites).
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Browser as Chromium } from 'playwright-core'
import { Redis } from 'ioredis'
import type { EmulatorClient } from '../../src/emulator/index.ts'
import type { Browser } from '../kit/browser.ts'
import { liveCookies } from '../kit/cookie-jar.ts'
import { launchChromium, signInAtEmulatorPages } from '../kit/chromium.ts'
import { SEND_MAIL } from '../kit/faults.ts'
import { tokenRequests, graphCalls } from '../kit/journal.ts'
import { SECURITY, startSystem, type AppInstance, type System } from '../kit/system.ts'
import { TEST_REDIS_URL } from '../kit/test-redis.ts'

let system: System
let emulator: EmulatorClient
let app: AppInstance
let chromium: Chromium

before(async () => {
  system = await startSystem(SECURITY)
  emulator = system.client
  app = await system.startApp()
  chromium = await launchChromium()
})

after(async () => {
  await chromium?.close()
  await system?.close()
})

const sessionKey = (instance: AppInstance, id: string) =>
  `sess:${createHmac('sha256', instance.config.sessionSecret).update(id).digest('base64url')}`
const cookieName = (instance: AppInstance) =>
  instance.config.secureCookies ? '__Host-session' : 'session'

/** A client that carries exactly this session cookie value. */
function clientWith(instance: AppInstance, value: string): Browser {
  const client = app.browser()
  client.setCookie(instance.url, cookieName(instance), value)
  return client
}

describe('SE-01 session fixation', () => {
  test('SE-01 /connect hands out no session; a session the browser already had is rotated at sign-in and never authenticated', async () => {
    const client = app.browser()
    const { connect } = await client.startSignIn(system.user('megan'))
    assert.equal(
      liveCookies(connect.setCookies, 'session').length,
      0,
      'no pre-login session cookie',
    )
    assert.equal(client.cookie(app.url, 'session'), undefined)
    await signInAgain(client)
    const before = client.cookie(app.url, 'session')
    assert.ok(before, 'signed in once: the browser holds a session C0')
    const { callbackUrl } = await client.startSignIn(system.user('adele'))
    assert.equal(client.cookie(app.url, 'session'), before, 'the sign-in start leaves C0 as it is')
    const done = await client.request(callbackUrl)
    assert.equal(done.status, 303)
    const after = client.cookie(app.url, 'session')
    assert.ok(after)
    assert.notEqual(after, before)
    assert.equal(await clientWith(app, before).isSignedIn(), false, 'the earlier cookie C0')
    assert.equal(await clientWith(app, after).isSignedIn(), true, 'the new cookie C1')
    assert.equal(
      await app.store.get(sessionKey(app, before)),
      undefined,
      'the earlier record is gone',
    )
  })

  test('SE-01 an attacker-planted cookie (made up, or the attacker’s own signed-in id) is never the victim’s session', async () => {
    const attacker = app.browser()
    assert.equal((await attacker.signIn(system.user('megan'))).status, 303)
    const attackersId = attacker.cookie(app.url, 'session')!
    for (const planted of [attackersId, 'A'.repeat(43)]) {
      const victim = clientWith(app, planted)
      const done = await victim.signIn(system.user('adele'))
      assert.equal(done.status, 303)
      assert.notEqual(victim.cookie(app.url, 'session'), planted, 'rotated at sign-in')
      assert.equal(await victim.isSignedIn(), true)
      assert.equal(
        await attacker.isSignedIn(),
        false,
        'the attacker holding the planted id is not signed in',
      )
      assert.equal(await clientWith(app, planted).isSignedIn(), false)
    }
  })
})

async function signInAgain(client: Browser): Promise<void> {
  const { callbackUrl } = await client.startSignIn(system.user('megan'))
  assert.equal((await client.request(callbackUrl)).status, 303)
}

describe('SE-02 cookie attributes', () => {
  test('SE-02 plain-HTTP loopback: session cookie is host-only, HttpOnly, SameSite=Lax, Path=/, small, holds no token or PII', async () => {
    const client = app.browser()
    const { connect, callbackUrl } = await client.startSignIn(system.user('adele'))
    const done = await client.request(callbackUrl)
    const home = await client.request(`${app.url}/?lang=fr`)
    const all = [...connect.setCookies, ...done.setCookies, ...home.setCookies]
    assert.ok(liveCookies(all, 'session').length >= 1)
    assert.ok(
      liveCookies(all, 'signin').length >= 1,
      'the sign-in cookie binding the state to this browser',
    )
    for (const line of all) {
      const [pair, ...attributes] = line.split(';').map((part) => part.trim())
      const names = attributes.map((attribute) => attribute.split('=')[0]!.toLowerCase())
      assert.ok(!names.includes('domain'), `no Domain: ${line}`)
      assert.ok(
        attributes.some((attribute) => /^path=\/$/i.test(attribute)),
        `Path=/: ${line}`,
      )
      assert.ok(
        attributes.some((attribute) => /^samesite=(lax|strict)$/i.test(attribute)),
        `SameSite: ${line}`,
      )
      assert.ok(line.length < 4096)
      assert.doesNotMatch(pair!, /eyJ|@|contoso|adele|CANARY/i, `no token or PII in ${pair}`)
      if (pair!.startsWith('session=')) {
        assert.ok(names.includes('httponly'), `HttpOnly: ${line}`)
        assert.match(
          attributes.find((attribute) => /^samesite/i.test(attribute))!,
          /^samesite=lax$/i,
        )
        assert.ok(
          !names.includes('expires') || /1970/.test(line),
          'a browser-session cookie (the server enforces the timeouts)',
        )
        assert.match(pair!, /^session=[A-Za-z0-9_-]{43}$/, '256-bit random id')
      }
      if (pair!.startsWith('signin=')) {
        assert.ok(names.includes('httponly'), `HttpOnly: ${line}`)
        assert.match(
          attributes.find((attribute) => /^samesite/i.test(attribute))!,
          /^samesite=lax$/i,
          'Lax: sent with the IdP’s top-level redirect back',
        )
        assert.ok(
          attributes.some((attribute) => /^max-age=600$/i.test(attribute)),
          `lives as long as a sign-in: ${line}`,
        )
        assert.match(pair!, /^signin=[A-Za-z0-9_-]{43}$/, '256-bit random value')
      }
    }
  })

  test('SE-02 HTTPS deployment: __Host-session, Secure, HttpOnly, SameSite=Lax, Path=/, no Domain; HSTS', async () => {
    const tls = await system.startApp({ publicScheme: 'https' })
    try {
      assert.equal(tls.config.secureCookies, true)
      const client = app.browser()
      const connect = await client.request(`${tls.url}/connect`)
      assert.equal(
        new URL(connect.location!).searchParams.get('redirect_uri'),
        `https://${new URL(tls.url).host}/connect/get_token/`,
      )
      const left = await client.signInAtEmulator(connect.location!, system.user('megan'))
      assert.ok(left.location?.startsWith('https://127.0.0.1'))
      const done = await client.request(left.location!.replace(/^https:/, 'http:')) // the TLS terminator's hop
      assert.equal(done.status, 303)
      const lines = [...connect.setCookies, ...done.setCookies]
      const cookies = [
        ...liveCookies(lines, '__Host-signin'),
        ...liveCookies(lines, '__Host-session'),
      ]
      assert.deepEqual(
        cookies.map((line) => line.split('=')[0]),
        ['__Host-signin', '__Host-session'],
      )
      for (const line of cookies) {
        const attributes = line
          .split(';')
          .slice(1)
          .map((part) => part.trim().toLowerCase())
        for (const wanted of ['secure', 'httponly', 'samesite=lax', 'path=/'])
          assert.ok(attributes.includes(wanted), `${wanted} in ${line}`)
        assert.ok(!attributes.some((attribute) => attribute.startsWith('domain')), line)
      }
      assert.ok(
        lines.every((line) => !line.startsWith('session=') && !line.startsWith('signin=')),
        'no unprefixed cookie',
      )
      assert.match(
        done.headers.get('strict-transport-security') ?? '',
        /max-age=(\d{8,}|3153\d{4})/,
      )
      assert.equal(await client.isSignedIn(tls.url), true)
    } finally {
      await tls.close()
    }
  })
})

describe('SE-03 cross-site sign-in in Chromium', () => {
  test('SE-03 a real cross-site (127.0.0.1 ↔ localhost) sign-in with response_mode=query works in Chromium', async () => {
    assert.notEqual(new URL(app.url).hostname, new URL(emulator.url).hostname)
    const context = await chromium.newContext()
    const page = await context.newPage()
    const authorizeModes: string[] = []
    page.on('request', (request) => {
      if (request.url().includes('/oauth2/v2.0/authorize'))
        authorizeModes.push(new URL(request.url()).searchParams.get('response_mode') ?? '')
    })
    await page.goto(`${app.url}/`)
    await page.click('a[href="/connect"]')
    await signInAtEmulatorPages(page, emulator.url, system.user('lea'))
    await page.waitForURL(`${app.url}/`)
    assert.match((await page.textContent('h1')) ?? '', /Léa/)
    assert.deepEqual(authorizeModes, ['query'])
    const cookie = (await context.cookies(app.url)).find(
      (candidate) => candidate.name === 'session',
    )
    assert.equal(cookie?.sameSite, 'Lax')
    assert.equal(cookie?.httpOnly, true)
    assert.equal(cookie?.domain, '127.0.0.1', 'host-only')
    await context.close()
  })

  test('SE-03 negative control: a form_post answer (cross-site POST, Lax cookie not sent) gives a 4xx page, not a 500 or a loop', async () => {
    const context = await chromium.newContext()
    const page = await context.newPage()
    const mark = await emulator.mark()
    await page.goto(`${app.url}/`)
    await page.click('a[href="/connect"]')
    await page.waitForSelector('#i0116')
    const authorize = new URL(page.url())
    assert.equal(authorize.searchParams.get('response_mode'), 'query')
    authorize.searchParams.set('response_mode', 'form_post')
    await page.goto(authorize.toString())
    const callback = page.waitForResponse(
      (response) =>
        response.url().startsWith(`${app.url}/connect/get_token/`) &&
        response.request().method() === 'POST',
    )
    await signInAtEmulatorPages(page, emulator.url, system.user('lea'))
    const response = await callback
    assert.ok(response.status() >= 400 && response.status() < 500, String(response.status()))
    await page.waitForTimeout(1500)
    assert.equal(
      (await emulator.journal({ since: mark, path: /\/oauth2\/v2\.0\/authorize$/ })).length,
      2,
      'only the two the test made: no loop',
    )
    assert.equal((await tokenRequests(emulator, mark)).length, 0)
    await context.close()
  })
})

describe('SE-04 timeouts', () => {
  test('SE-04 idle timeout (2 s) and absolute timeout (5 s) enforced by the server; the stored session is removed', async () => {
    const short = await system.startApp({
      env: { SESSION_IDLE_SECONDS: '2', SESSION_ABSOLUTE_SECONDS: '5' },
      store: 'redis',
    })
    const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true })
    await redis.connect()
    try {
      const prefix = short.config.store.kind === 'redis' ? short.config.store.keyPrefix : ''
      // Idle: 3 s without a request.
      const idle = app.browser()
      assert.equal((await idle.signIn(system.user('adele'), short.url)).status, 303)
      const idleId = idle.cookie(short.url, 'session')!
      assert.equal(await redis.exists(`${prefix}${sessionKey(short, idleId)}`), 1)
      await sleep(3000)
      assert.equal(await idle.isSignedIn(short.url), false, 'idle for 3 s > 2 s')
      assert.equal(await redis.exists(`${prefix}${sessionKey(short, idleId)}`), 0)

      // Absolute: a request every second keeps it alive until 5 s after sign-in, never beyond.
      const busy = app.browser()
      assert.equal((await busy.signIn(system.user('adele'), short.url)).status, 303)
      const busyId = busy.cookie(short.url, 'session')!
      const signedInAt = Date.now()
      while (Date.now() - signedInAt < 4000) {
        await sleep(900)
        assert.equal(
          await clientWith(short, busyId).isSignedIn(short.url),
          true,
          `active at ${Date.now() - signedInAt} ms`,
        )
      }
      while (Date.now() - signedInAt < 6000)
        await sleep(900).then(() => clientWith(short, busyId).isSignedIn(short.url))
      assert.equal(
        await clientWith(short, busyId).isSignedIn(short.url),
        false,
        'past the absolute timeout',
      )
      assert.equal(await redis.exists(`${prefix}${sessionKey(short, busyId)}`), 0)
    } finally {
      redis.disconnect()
      await short.close()
    }
  })
})

describe('SE-05 disconnect', () => {
  async function signedIn() {
    const client = app.browser()
    assert.equal((await client.signIn(system.user('adele'))).status, 303)
    const id = client.cookie(app.url, 'session')!
    const record = await app.store.get<{ user: { partition: string } }>(sessionKey(app, id))
    assert.ok(record?.user.partition)
    assert.ok(
      await app.store.get(`tokencache:${record.user.partition}`),
      'a token cache exists before',
    )
    return { client, id, partition: record.user.partition }
  }

  test('SE-05 GET /disconnect → 405 and changes nothing', async () => {
    const { client } = await signedIn()
    const answer = await client.request(`${app.url}/disconnect`)
    assert.equal(answer.status, 405)
    assert.equal(answer.headers.get('allow'), 'POST')
    assert.equal(await client.isSignedIn(), true)
  })

  test('SE-05 POST /disconnect destroys the session and the token cache; the old cookie is dead; no Graph call with it', async () => {
    const { client, id, partition } = await signedIn()
    const { csrf } = await client.formTokens()
    const stale = await clientWith(app, id).formTokens()
    const out = await client.post(`${app.url}/disconnect`, { _csrf: csrf })
    assert.equal(out.status, 303)
    assert.equal(
      new URL(out.location!).origin,
      emulator.url,
      'on to the identity provider’s logout',
    )
    assert.ok(
      out.setCookies.some(
        (line) => /^session=;/.test(line) && /expires=thu, 01 jan 1970|max-age=0/i.test(line),
      ),
      'the cookie is cleared',
    )
    assert.equal(await app.store.get(sessionKey(app, id)), undefined)
    assert.equal(await app.store.get(`tokencache:${partition}`), undefined)
    const mark = await emulator.mark()
    const replay = clientWith(app, id)
    assert.equal(await replay.isSignedIn(), false)
    await replay.postSend({ to: 'megan@contoso.test', _csrf: stale.csrf, _form: stale.form })
    assert.equal((await graphCalls(emulator, mark)).length, 0)
  })

  test('SE-05 a send still in flight when the user disconnects cannot resurrect the session', async () => {
    const { client, id, partition } = await signedIn()
    const { csrf, form } = await client.formTokens()
    await emulator.addFault({
      match: SEND_MAIL,
      count: 1,
      action: { delayMs: 2500 },
    })
    const slow = clientWith(app, id).postSend({
      to: 'megan@contoso.test',
      _csrf: csrf,
      _form: form,
    })
    await sleep(800)
    const out = await client.post(`${app.url}/disconnect`, { _csrf: csrf })
    assert.equal(out.status, 303)
    const late = await slow
    assert.ok(late.status < 500, `the slow send finished: ${late.status}`)
    assert.ok(
      !liveCookies(late.setCookies, 'session').length,
      'the late response sets no live session cookie',
    )
    assert.equal(await clientWith(app, id).isSignedIn(), false)
    assert.equal(await app.store.get(sessionKey(app, id)), undefined)
    assert.equal(await app.store.get(`tokencache:${partition}`), undefined)
  })
})
