/**
 * OAuth/OIDC client requirements OA-01…OA-09 and OA-14, black-box: the app on 127.0.0.1, the emulator on localhost,
 * an HTTP user agent with cookie jars, the emulator's journal, tokens/next and faults; Chromium where a browser matters.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { request as httpRequest } from 'node:http'
import fc from 'fast-check'
import type { Browser as Chromium } from 'playwright-core'
import type { EmulatorClient, IdTokenShape } from '../../src/emulator/index.ts'
import { liveCookies } from '../kit/cookie-jar.ts'
import { launchChromium, signInAtEmulatorPages, watchPage } from '../kit/chromium.ts'
import { oauthError, TOKEN_ENDPOINT } from '../kit/faults.ts'
import { graphCalls, tokenRequests } from '../kit/journal.ts'
import { SECURITY, startSystem, type AppInstance, type System } from '../kit/system.ts'
import { withParams } from '../kit/with-params.ts'

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

describe('OA-01 state is one-time and bound to the browser', () => {
  test('OA-01 callback with a wrong state → 400 and no token request', async () => {
    const client = app.browser()
    const { callbackUrl } = await client.startSignIn(system.user('adele'))
    const mark = await emulator.mark()
    const answer = await client.request(
      withParams(callbackUrl, (params) => params.set('state', 'x'.repeat(43))),
    )
    assert.equal(answer.status, 400)
    assert.equal((await tokenRequests(emulator, mark)).length, 0)
    assert.equal(await client.isSignedIn(), false)
  })

  test('OA-01 callback with no state → 400 and no token request', async () => {
    const client = app.browser()
    const { callbackUrl } = await client.startSignIn(system.user('adele'))
    const mark = await emulator.mark()
    const answer = await client.request(withParams(callbackUrl, (params) => params.delete('state')))
    assert.equal(answer.status, 400)
    assert.equal((await tokenRequests(emulator, mark)).length, 0)
  })

  test('OA-01 callback without the sign-in cookie (another browser) → 400 and no token request', async () => {
    const owner = app.browser()
    const { callbackUrl } = await owner.startSignIn(system.user('adele'))
    const mark = await emulator.mark()
    const stranger = app.browser()
    assert.equal((await stranger.request(callbackUrl)).status, 400)
    const otherBrowser = app.browser()
    await otherBrowser.request(`${app.url}/connect`) // has a sign-in cookie of its own
    assert.equal((await otherBrowser.request(callbackUrl)).status, 400)
    const signedIn = app.browser()
    assert.equal((await signedIn.signIn(system.user('megan'))).status, 303) // a signed-in session of its own
    assert.equal((await signedIn.request(callbackUrl)).status, 400)
    assert.equal(
      (await tokenRequests(emulator, mark)).length,
      1,
      'only the signed-in browser’s own sign-in',
    )
    assert.equal(
      (await owner.request(callbackUrl)).status,
      303,
      'the foreign attempts did not use up the owner’s sign-in',
    )
  })

  test('OA-01 callback with a used state → 400 and no second token request', async () => {
    const client = app.browser()
    const { callbackUrl } = await client.startSignIn(system.user('adele'))
    const mark = await emulator.mark()
    const first = await client.request(callbackUrl)
    assert.equal(first.status, 303)
    const replay = await client.request(callbackUrl)
    assert.equal(replay.status, 400)
    assert.equal((await tokenRequests(emulator, mark)).length, 1)
    assert.equal(await client.isSignedIn(), true, 'the replay does not undo the sign-in')
  })
})

describe('OA-02 PKCE S256', () => {
  test('OA-02 authorize URL has an S256 challenge; the token request verifier hashes to it; challenges differ', async () => {
    const challenges: string[] = []
    for (const prefix of ['adele', 'megan']) {
      const client = app.browser()
      const mark = await emulator.mark()
      const { authorizeUrl, callbackUrl } = await client.startSignIn(system.user(prefix))
      const params = new URL(authorizeUrl).searchParams
      const challenge = params.get('code_challenge') ?? ''
      assert.match(challenge, /^[A-Za-z0-9_-]{43}$/)
      assert.equal(params.get('code_challenge_method'), 'S256')
      assert.equal(params.get('response_mode'), 'query')
      assert.equal((await client.request(callbackUrl)).status, 303)
      const [token] = await tokenRequests(emulator, mark)
      const verifier =
        new URLSearchParams(token!.body as string).get('code_verifier') ??
        (token!.body as Record<string, string>).code_verifier
      assert.match(verifier, /^[A-Za-z0-9._~-]{43,128}$/)
      assert.equal(createHash('sha256').update(verifier).digest('base64url'), challenge)
      challenges.push(challenge)
    }
    assert.notEqual(challenges[0], challenges[1])
  })

  test('OA-02 a code injected into another session (with its own valid state) fails: 400, no session, no Graph call', async () => {
    const attacker = app.browser()
    const stolen = new URL((await attacker.startSignIn(system.user('megan'))).callbackUrl)
    const victim = app.browser()
    const victimStart = await victim.request(`${app.url}/connect`)
    const victimState = new URL(victimStart.location!).searchParams.get('state')!
    const mark = await emulator.mark()
    const injected = withParams(stolen.toString(), (params) => params.set('state', victimState))
    const answer = await victim.request(injected)
    assert.equal(answer.status, 400)
    assert.equal(await victim.isSignedIn(), false)
    assert.equal(
      (await tokenRequests(emulator, mark)).length,
      1,
      'the code was tried once with the victim’s verifier',
    )
    assert.equal((await graphCalls(emulator, mark)).length, 0)
  })
})

describe('OA-03 / OA-04 id_token nonce, audience, issuer, tenant', () => {
  const shapes: [string, IdTokenShape][] = [
    ['OA-03 an id_token with a wrong nonce', { nonce: 'not-the-nonce-that-was-sent' }],
    ['OA-03 an id_token without a nonce', { nonce: null }],
    ['OA-04 an id_token for another audience', { aud: '11111111-2222-3333-4444-555555555555' }],
    [
      'OA-04 an id_token from another issuer',
      { iss: 'https://evil.example/6f1d6c4e-2b7a-4c39-9e51-0c8a7d3b5f21/v2.0' },
    ],
    [
      'OA-04 an id_token from a foreign tenant',
      {
        tid: '99999999-8888-7777-6666-555555555555',
        iss: 'https://login.microsoftonline.com/99999999-8888-7777-6666-555555555555/v2.0',
      },
    ],
  ]
  for (const [name, shape] of shapes) refusedIdTokenTest(name, shape)
})

describe('SE-21 id_token authorized party and issue time', () => {
  const other = '11111111-2222-3333-4444-555555555555'
  const inAnHour = () => Math.floor(Date.now() / 1000) + 3600
  refusedIdTokenTest(
    'SE-21 an id_token for this app and another, issued to the other (azp)',
    () => ({
      aud: [system.registration.clientId, other],
      azp: other,
    }),
  )
  refusedIdTokenTest('SE-21 an id_token for this app and another, without azp', () => ({
    aud: [system.registration.clientId, other],
  }))
  refusedIdTokenTest('SE-21 an id_token issued an hour in the future (iat)', () => ({
    iat: inAnHour(),
  }))

  test('SE-21 negative control: azp naming this app, and iat a minute ahead (clock skew) → signed in', async () => {
    for (const shape of [
      { aud: [system.registration.clientId, other], azp: system.registration.clientId },
      { iat: Math.floor(Date.now() / 1000) + 60 },
    ]) {
      const client = app.browser()
      const { callbackUrl } = await client.startSignIn(system.user('adele'))
      await emulator.shapeNextIdToken(shape)
      assert.equal((await client.request(callbackUrl)).status, 303, JSON.stringify(shape))
      assert.equal(await client.isSignedIn(), true)
    }
  })
})

/** A sign-in whose id_token has `shape` ends on 400: no session, and the access token is never used. */
function refusedIdTokenTest(name: string, shape: IdTokenShape | (() => IdTokenShape)): void {
  test(`${name} → 400, no session, no Graph call`, async () => {
    const client = app.browser()
    const { callbackUrl } = await client.startSignIn(system.user('adele'))
    await emulator.shapeNextIdToken(typeof shape === 'function' ? shape() : shape)
    const mark = await emulator.mark()
    const answer = await client.request(callbackUrl)
    assert.equal(answer.status, 400)
    assert.equal(answer.location, undefined)
    assert.equal((await tokenRequests(emulator, mark)).length, 1)
    assert.equal((await graphCalls(emulator, mark)).length, 0, 'the access token was never used')
    assert.equal(liveCookies(answer.setCookies, 'session').length, 0, 'no new session cookie')
    assert.equal(await client.isSignedIn(), false)
  })
}

describe('OA-05 mix-up defence (RFC 9207 iss)', () => {
  test('OA-05 callback iss different from the expected issuer → 400 and no token request', async () => {
    const client = app.browser()
    const { callbackUrl } = await client.startSignIn(system.user('adele'))
    const mark = await emulator.mark()
    const answer = await client.request(
      withParams(callbackUrl, (params) => params.set('iss', 'https://evil.example')),
    )
    assert.equal(answer.status, 400)
    assert.equal((await tokenRequests(emulator, mark)).length, 0)
  })

  test('OA-05 callback with the right iss and unknown extra parameters (session_state, client_info, foo) → signed in', async () => {
    const client = app.browser()
    const { callbackUrl } = await client.startSignIn(system.user('adele'))
    assert.ok(
      new URL(callbackUrl).searchParams.has('session_state'),
      'the emulator appends session_state like Entra',
    )
    const issuer = `${emulator.url}/${system.emulator.demo.tenantId}/v2.0`
    const answer = await client.request(
      withParams(callbackUrl, (params) => {
        params.set('iss', issuer)
        params.set('foo', 'bar')
        params.append('x-extra', '<b>')
      }),
    )
    assert.equal(answer.status, 303)
    assert.equal(await client.isSignedIn(), true)
  })
})

/** A raw request, so Host can be set to anything. */
function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: 'GET', headers }, (response) => {
      response.resume()
      resolve({ status: response.statusCode ?? 0, headers: response.headers })
    })
    request.on('error', reject)
    request.end()
  })
}

describe('OA-06 / OA-14 redirect_uri and proxy headers', () => {
  test('OA-06 redirect_uri equals the configured one whatever Host or X-Forwarded-* say', async () => {
    const variants: Record<string, string>[] = [
      {},
      { host: 'evil.example' },
      {
        host: 'evil.example:8443',
        'x-forwarded-host': 'evil.example',
        'x-forwarded-proto': 'https',
        'x-forwarded-port': '443',
      },
      {
        'x-forwarded-host': 'attacker.test',
        forwarded: 'host=attacker.test;proto=https',
        'x-original-url': '/evil',
      },
    ]
    // Deployed behind a proxy (PUBLIC_URL not on loopback), any Host is served; on loopback a foreign one is a 421
    // (SE-16). Either way the redirect_uri is the configured one.
    const deployed = await system.startApp({
      env: { PUBLIC_URL: 'https://mail.example.test', SESSION_SECRET: 'd'.repeat(40) },
    })
    const mark = await emulator.mark()
    for (const instance of [app, deployed]) {
      for (const headers of variants) {
        const label = `${instance.config.publicUrl} ${JSON.stringify(headers)}`
        const answer = await rawGet(`${instance.url}/connect`, headers)
        if (headers.host && instance === app) {
          assert.equal(answer.status, 421, label)
          continue
        }
        assert.equal(answer.status, 302, label)
        const location = new URL(String(answer.headers.location))
        assert.equal(location.searchParams.get('redirect_uri'), instance.config.redirectUri, label)
        assert.equal(location.origin, emulator.url)
      }
    }
    await deployed.close()
    // The token request carries the same configured value.
    const client = app.browser({
      headers: {
        'x-forwarded-host': 'evil.example',
        'x-forwarded-proto': 'https',
      },
    })
    await client.signIn(system.user('adele'))
    const [token] = await tokenRequests(emulator, mark)
    assert.equal(
      new URLSearchParams(token!.body as string).get('redirect_uri') ??
        (token!.body as Record<string, string>).redirect_uri,
      app.config.redirectUri,
    )
  })

  test('OA-14 spoofed X-Forwarded-Proto/For from a direct client flip nothing (no Secure, no __Host-, same redirect_uri)', async () => {
    const client = app.browser({
      headers: {
        'x-forwarded-proto': 'https',
        'x-forwarded-for': '1.2.3.4',
        'x-forwarded-host': 'evil.example',
      },
    })
    const connect = await client.request(`${app.url}/connect`)
    assert.equal(
      new URL(connect.location!).searchParams.get('redirect_uri'),
      app.config.redirectUri,
    )
    for (const line of connect.setCookies) {
      assert.doesNotMatch(
        line,
        /;\s*secure/i,
        'no Secure from a spoofed proto on a plain-HTTP deployment',
      )
      assert.doesNotMatch(line, /^__Host-/)
    }
    assert.equal(
      connect.headers.get('strict-transport-security'),
      null,
      'no HSTS on plain HTTP, whatever the header says',
    )
  })
})

describe('OA-07 no open redirect', () => {
  const payloads = [
    'https://evil.example',
    '//evil.example',
    '/\\evil.example',
    '/%2F%2Fevil.example',
    '/%5Cevil.example',
    'https:evil.example',
    'javascript:alert(1)',
    '/\t/evil.example',
    '%0d%0aLocation:%20https://evil.example',
    '\\\\evil.example',
    '/%09/evil.example',
    'http://127.0.0.1.evil.example/',
    '///evil.example',
    'data:text/html,<script>alert(1)</script>',
  ]
  const names = [
    'returnTo',
    'next',
    'redirect',
    'returnUrl',
    'redirect_uri',
    'post_logout_redirect_uri',
  ]

  async function landsOnOwnOrigin(payload: string) {
    const client = app.browser()
    const query = names.map((name) => `${name}=${encodeURIComponent(payload)}`).join('&')
    const connect = await client.request(`${app.url}/connect?${query}`)
    assert.equal(connect.status, 302)
    assert.equal(
      new URL(connect.location!).searchParams.get('redirect_uri'),
      app.config.redirectUri,
    )
    const left = await client.signInAtEmulator(connect.location!, system.user('adele'))
    assert.ok(left.location?.startsWith(`${app.url}/`))
    // The payload also rides on the callback itself, as an attacker could add it.
    const callback = withParams(left.location!, (params) =>
      names.forEach((name) => params.set(name, payload)),
    )
    const done = await client.request(callback)
    assert.equal(done.status, 303)
    const target = new URL(done.location!, app.url)
    assert.equal(target.origin, app.url, `${JSON.stringify(payload)} → ${done.location}`)
    assert.equal(done.location, `${app.url}/`)
    // Disconnect goes only to the IdP's logout with the configured post-logout URI.
    const { csrf } = await client.formTokens()
    const out = await client.post(`${app.url}/disconnect?${query}`, {
      _csrf: csrf,
      ...Object.fromEntries(names.map((name) => [name, payload])),
    })
    assert.equal(out.status, 303)
    const logout = new URL(out.location!)
    assert.equal(logout.origin, emulator.url)
    assert.equal(
      logout.searchParams.get('post_logout_redirect_uri'),
      app.config.postLogoutRedirectUri,
    )
  }

  test('OA-07 every listed return-to payload ends on the app’s own origin', async () => {
    for (const payload of payloads) await landsOnOwnOrigin(payload)
  })

  test('OA-07 property: arbitrary strings and URLs as return-to end on the app’s own origin', async () => {
    const evilUrls = fc.webUrl({ withQueryParameters: true, withFragments: true })
    const pathish = fc
      .array(
        fc.constantFrom(
          '/',
          '\\',
          '%2F',
          '%5C',
          '%09',
          '%0d%0a',
          'evil.example',
          ':',
          '@',
          'javascript:',
          '.',
          '//',
        ),
        { maxLength: 8 },
      )
      .map((parts) => parts.join(''))
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constantFrom(...payloads),
          evilUrls,
          pathish,
          fc.string({ unit: 'binary', maxLength: 40 }),
        ),
        landsOnOwnOrigin,
      ),
      { numRuns: 30 },
    )
  })
})

describe('OA-08 the callback leaks nothing', () => {
  test('OA-08 callback → 303 to a clean URL with Referrer-Policy: no-referrer and Cache-Control: no-store', async () => {
    const client = app.browser()
    const { callbackUrl } = await client.startSignIn(system.user('adele'))
    const answer = await client.request(callbackUrl)
    assert.equal(answer.status, 303)
    assert.doesNotMatch(answer.location!, /code=|state=|session_state=/)
    assert.equal(answer.headers.get('referrer-policy'), 'no-referrer')
    assert.equal(answer.headers.get('cache-control'), 'no-store')
    assert.equal(answer.body, '')
    // A refused callback too.
    const refused = await client.request(callbackUrl)
    assert.equal(refused.headers.get('referrer-policy'), 'no-referrer')
    assert.equal(refused.headers.get('cache-control'), 'no-store')
  })

  test('OA-08 in Chromium: no request leaves the app and the emulator; no Referer carries the code', async () => {
    const context = await chromium.newContext()
    const page = await context.newPage()
    const foreign: string[] = []
    const leakyReferers: string[] = []
    page.on('request', (request) => {
      const origin = new URL(request.url()).origin
      if (origin !== app.url && origin !== emulator.url) foreign.push(request.url())
      const referer = request.headers().referer ?? ''
      // The callback's code must never travel in a Referer; nor may the app's own URLs carry state onwards.
      if (/[?&]code=/.test(referer) || (referer.startsWith(app.url) && /[?&]state=/.test(referer)))
        leakyReferers.push(`${request.url()} ← ${referer}`)
    })
    await page.goto(`${app.url}/`)
    await page.click('a[href="/connect"]')
    await signInAtEmulatorPages(page, emulator.url, system.user('megan'))
    await page.waitForURL(`${app.url}/`)
    assert.match((await page.textContent('h1')) ?? '', /Hi, /)
    await page.goto(`${app.url}/static/app.css`)
    assert.deepEqual(foreign, [])
    assert.deepEqual(leakyReferers, [])
    await context.close()
  })
})

describe('OA-09 identity-provider errors', () => {
  test('OA-09 error callback with a valid state → 4xx page, description escaped, no redirect', async () => {
    const client = app.browser()
    const connect = await client.request(`${app.url}/connect`)
    const state = new URL(connect.location!).searchParams.get('state')!
    const description =
      '<script>alert(1)</script><img src=x onerror=alert(2)>AADSTS65004: "declined"'
    const url = `${app.url}/connect/get_token/?error=access_denied&error_description=${encodeURIComponent(description)}&state=${state}`
    const answer = await client.request(url)
    assert.ok(answer.status >= 400 && answer.status < 500, String(answer.status))
    assert.equal(answer.location, undefined)
    assert.doesNotMatch(answer.body, /<script>alert|<img src=x/)
    assert.doesNotMatch(answer.body, /http-equiv="?refresh/i)
    const unknown = `${app.url}/connect/get_token/?error=${encodeURIComponent('<b>x</b>')}&error_description=${encodeURIComponent('<svg onload=alert(3)>')}&state=${new URL((await client.request(`${app.url}/connect`)).location!).searchParams.get('state')}`
    const second = await client.request(unknown)
    assert.equal(second.status, 400)
    assert.doesNotMatch(second.body, /<b>x<\/b>|<svg onload/)
  })

  test('OA-09 a token-endpoint interaction_required does not restart the sign-in', async () => {
    const client = app.browser()
    const { callbackUrl } = await client.startSignIn(system.user('adele'))
    await emulator.addFault({
      match: TOKEN_ENDPOINT,
      count: 1,
      action: {
        status: 400,
        body: oauthError('interaction_required', 50076, 'MFA required'),
      },
    })
    const mark = await emulator.mark()
    const answer = await client.request(callbackUrl)
    assert.ok(answer.status >= 400 && answer.status < 500, String(answer.status))
    assert.equal(answer.location, undefined)
    assert.equal((await emulator.journal({ since: mark, path: /\/authorize$/ })).length, 0)
  })

  test('OA-09 in Chromium: declined consent shows escaped text, no CSP violation, no dialog, ≤ 2 authorize hits in 10 s', async () => {
    const fresh = {
      userPrincipalName: `oa09-${Date.now()}@contoso.test`,
      password: 'Oa09.Demo1',
      displayName: 'Loop Tester',
    }
    assert.equal((await emulator.addUser(fresh)).userPrincipalName, fresh.userPrincipalName)
    const context = await chromium.newContext()
    const page = await context.newPage()
    const { violations, dialogs } = await watchPage(page)
    const mark = await emulator.mark()
    const started = Date.now()
    await page.goto(`${app.url}/`)
    await page.click('a[href="/connect"]')
    await signInAtEmulatorPages(page, emulator.url, fresh, { consent: 'cancel' })
    await page.waitForURL((url) => url.toString().startsWith(`${app.url}/connect/get_token/`))
    assert.match((await page.textContent('main')) ?? '', /./)
    await page.waitForTimeout(Math.max(0, 10_000 - (Date.now() - started)))
    const authorizeHits = (
      await emulator.journal({ since: mark, path: /\/oauth2\/v2\.0\/authorize$/ })
    ).length
    assert.ok(authorizeHits >= 1 && authorizeHits <= 2, `${authorizeHits} authorize hits`)
    assert.ok(
      page.url().startsWith(`${app.url}/connect/get_token/`),
      'the browser stays on the error page',
    )
    assert.deepEqual(violations, [])
    assert.deepEqual(dialogs, [])
    await context.close()
  })
})
