/**
 * SE-13 authorization sweep and SE-12 security logging, black-box: the app on 127.0.0.1, the emulator on localhost,
 * HTTP clients with cookie jars, the emulator's journal, and the app's captured JSON log lines.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import type { DemoUser, EmulatorClient } from '../../src/emulator/index.ts'
import type { Browser, Page } from '../kit/browser.ts'
import { oauthError, TOKEN_ENDPOINT } from '../kit/faults.ts'
import { graphCalls, sends } from '../kit/journal.ts'
import { SECURITY, startSystem, type AppInstance, type System } from '../kit/system.ts'

let system: System
let emulator: EmulatorClient
let app: AppInstance
let adele: DemoUser
let megan: DemoUser

before(async () => {
  system = await startSystem(SECURITY)
  emulator = system.client
  app = await system.startApp()
  adele = system.user('adele')
  megan = system.user('megan')
})

after(() => system?.close())

/** The claims the emulator would put in a user's id_token: what must never reach another session. */
const identityOf = (user: DemoUser) => {
  const full = system.emulator.demo.users.find(
    (candidate) => candidate.userPrincipalName === user.userPrincipalName,
  )!
  return [full.userPrincipalName, full.id, full.displayName]
}

describe('SE-13 authorization', () => {
  test('SE-13 the sweep covers every route the app registers', () => {
    const names = [...app.app.printRoutes({ commonPrefix: false }).matchAll(/── (\S+) \(/g)]
      .map((match) => match[1])
      .sort()
    const staticFiles = ['static/app.css', 'static/app.js', 'static/favicon.svg'] // public, the same bytes for everyone
    assert.deepEqual(
      names,
      [
        ...staticFiles,
        '/',
        '/get_token/',
        'connect',
        'disconnect',
        'flow',
        'healthz',
        'me/photo',
        'readyz',
        'send',
      ].sort(),
      'a new route needs a line in the SE-13 sweep below',
    )
  })

  /** Every protected route, as a stranger sees it: never the victim's data, the right status, no Graph call. */
  async function sweep(
    client: Browser,
    base: string,
    victim: DemoUser,
    tokens: { csrf: string; form: string },
    label: string,
  ): Promise<void> {
    const mark = await emulator.mark()
    const expectations: [string, () => Promise<Page>, number, string | undefined][] = [
      ['GET /me/photo', () => client.request(`${base}/me/photo`), 404, undefined],
      ['GET /flow', () => client.request(`${base}/flow`), 303, `${base}/`],
      [
        'POST /send',
        () =>
          client.post(`${base}/send`, {
            _csrf: tokens.csrf,
            _form: tokens.form,
            to: 'eve@evil.example',
            subject: 'x',
            body: 'x',
            format: 'text',
            importance: 'normal',
          }),
        303,
        `${base}/?notice=signed-out`,
      ],
      [
        'POST /disconnect',
        () => client.post(`${base}/disconnect`, { _csrf: tokens.csrf }),
        303,
        `${base}/`,
      ],
      ['GET /send', () => client.request(`${base}/send`), 405, undefined],
      ['GET /disconnect', () => client.request(`${base}/disconnect`), 405, undefined],
      ['GET /', () => client.request(`${base}/`), 200, undefined],
      ['GET /static/app.js', () => client.request(`${base}/static/app.js`), 200, undefined],
    ]
    for (const [name, call, status, location] of expectations) {
      const answer = await call()
      assert.equal(answer.status, status, `${label}: ${name}`)
      assert.equal(answer.location, location, `${label}: ${name} location`)
      for (const secret of identityOf(victim))
        assert.ok(!answer.body.includes(secret), `${label}: ${name} shows ${secret}`)
      if (name === 'GET /')
        assert.doesNotMatch(
          answer.body,
          /action="\/send"|\/me\/photo/,
          `${label}: the Connect page, not the signed-in one`,
        )
    }
    assert.equal((await graphCalls(emulator, mark)).length, 0, `${label}: no Graph call`)
  }

  test('SE-13 without a session (no cookie, or a forged one): every protected route answers as to a stranger, 0 Graph calls', async () => {
    const victim = app.browser()
    assert.equal((await victim.signIn(adele)).status, 303)
    const tokens = await victim.formTokens()
    await sweep(app.browser(), app.url, adele, tokens, 'no cookie')
    const forged = app.browser()
    forged.setCookie(app.url, 'session', 'A'.repeat(43))
    await sweep(forged, app.url, adele, tokens, 'forged cookie')
    assert.equal(await victim.isSignedIn(), true, 'the victim is untouched')
  })

  test('SE-13 with an expired session (idle timeout 1 s): the same, and the old cookie shows nothing of its user', async () => {
    const short = await system.startApp({
      env: { SESSION_IDLE_SECONDS: '1' },
    })
    try {
      const client = app.browser()
      assert.equal((await client.signIn(megan, short.url)).status, 303)
      const tokens = await client.formTokens(short.url)
      assert.equal(
        (await client.request(`${short.url}/me/photo`)).status,
        200,
        'the photo is there while signed in',
      )
      await sleep(1500)
      await sweep(client, short.url, megan, tokens, 'expired session')
    } finally {
      await short.close()
    }
  })

  test("SE-13 another user's CSRF and form tokens: 403, nothing sent, nobody signed out", async () => {
    const a = app.browser()
    const b = app.browser()
    assert.equal((await a.signIn(adele)).status, 303)
    assert.equal((await b.signIn(megan)).status, 303)
    const tokensOfA = await a.formTokens()
    const mark = await emulator.mark()
    const sent = await b.post(`${app.url}/send`, {
      _csrf: tokensOfA.csrf,
      _form: tokensOfA.form,
      to: 'eve@evil.example',
      subject: 'x',
      body: 'x',
      format: 'text',
      importance: 'normal',
    })
    assert.equal(sent.status, 403)
    const out = await b.post(`${app.url}/disconnect`, { _csrf: tokensOfA.csrf })
    assert.equal(out.status, 403)
    for (const secret of identityOf(adele))
      assert.ok(!sent.body.includes(secret) && !out.body.includes(secret))
    assert.equal((await sends(emulator, mark)).length, 0)
    assert.equal(await a.isSignedIn(), true)
    assert.equal(await b.isSignedIn(), true)
  })

  test("SE-13 a user's page, flow inspector and photo are never visible to another session", async () => {
    const a = app.browser()
    const b = app.browser()
    assert.equal((await a.signIn(adele)).status, 303)
    assert.equal((await b.signIn(megan)).status, 303)
    assert.equal(
      (await a.postSend({ to: adele.userPrincipalName, subject: 'Only for Adele' })).status,
      303,
    )
    const flowA = await a.request(`${app.url}/flow`)
    const flowB = await b.request(`${app.url}/flow`)
    assert.equal(flowA.status, 200)
    assert.equal(flowB.status, 200)
    assert.ok(flowA.body.includes(adele.userPrincipalName), "A's flow shows A")
    assert.ok(flowB.body.includes(megan.userPrincipalName), "B's flow shows B")
    for (const secret of identityOf(adele))
      assert.ok(!flowB.body.includes(secret), `B's flow shows ${secret}`)
    assert.equal((flowA.body.match(/sendMail/g) ?? []).length > 0, true, "A's send is in A's flow")
    assert.doesNotMatch(flowB.body, /sendMail/, "A's send is not in B's flow")
    const homeB = await b.request(`${app.url}/`)
    for (const secret of identityOf(adele))
      assert.ok(!homeB.body.includes(secret), `B's page shows ${secret}`)

    const photo = async (client: Browser) => {
      const response = await fetch(`${app.url}/me/photo`, {
        headers: { cookie: `session=${client.cookie(app.url, 'session')}` },
      })
      assert.equal(response.status, 200)
      assert.equal(response.headers.get('cache-control'), 'private, no-store')
      return Buffer.from(await response.arrayBuffer())
    }
    const photoA = await photo(a)
    const photoB = await photo(b)
    assert.notDeepEqual(photoA, photoB, "each session gets its own user's photo")
    assert.deepEqual(await photo(a), photoA, 'and always the same one')
  })
})

/** The app's log lines from `from` on, parsed; every line must be one JSON object (a CR/LF cannot forge a line). */
function logLines(instance: AppInstance, from: number): Record<string, unknown>[] {
  return instance.logs.slice(from).map((line) => {
    assert.equal(line.trimEnd().includes('\n'), false, `one line per write: ${line}`)
    return JSON.parse(line) as Record<string, unknown>
  })
}

/**
 * Exactly one `event` line since `from`, with a reason, a UTC time and the request id of a request to `path` (the
 * access line is written after the response, so wait for it briefly).
 */
async function oneEvent(
  instance: AppInstance,
  from: number,
  event: string,
  path: string,
): Promise<Record<string, unknown>> {
  for (let tries = 0; tries < 50; tries++) {
    const lines = logLines(instance, from)
    const events = lines.filter((line) => line.event === event)
    const access =
      events.length === 1
        ? lines.find((line) => line.reqId === events[0]!.reqId && line.msg === 'request completed')
        : undefined
    if (access) {
      assert.equal(
        (access.req as { url: string }).url.split('?')[0],
        path,
        `${event}: correlated with its request`,
      )
      const found = events[0]!
      assert.equal(typeof found.reason, 'string', `${event}: a reason`)
      assert.ok((found.reason as string).length > 0)
      assert.match(String(found.reqId), /^[0-9a-f-]{36}$/, `${event}: a correlation id`)
      assert.ok(
        typeof found.time === 'number' && Math.abs(Date.now() - found.time) < 60_000,
        `${event}: a UTC (epoch) time`,
      )
      assert.equal(found.ip, '127.0.0.1')
      return found
    }
    if (events.length > 1)
      assert.fail(`${events.length} ${event} events, expected one: ${JSON.stringify(events)}`)
    await sleep(20)
  }
  return assert.fail(
    `no ${event} event for ${path}: ${JSON.stringify(logLines(instance, from).filter((line) => line.event))}`,
  )
}

/** No log line since `from` holds a secret: the artifacts seen on the wire, session cookies, CSRF and form tokens. */
function assertNoSecrets(instance: AppInstance, from: number, more: string[]): void {
  const text = instance.logs.slice(from).join('')
  for (const secret of [...instance.artifacts, ...more].filter((value) => value.length >= 16)) {
    assert.ok(!text.includes(secret), `a secret in the logs: ${secret.slice(0, 12)}…`)
  }
}

describe('SE-12 security logging', () => {
  test('SE-12 sign-in success and logout: one event each, with reason and correlation id, no secrets', async () => {
    const from = app.logs.length
    const client = app.browser()
    assert.equal((await client.signIn(adele)).status, 303)
    const success = await oneEvent(app, from, 'signin.success', '/connect/get_token/')
    assert.equal(success.user, adele.userPrincipalName)
    const cookie = client.cookie(app.url, 'session')!
    const { csrf, form: formToken } = await client.formTokens()
    const beforeLogout = app.logs.length
    assert.equal((await client.post(`${app.url}/disconnect`, { _csrf: csrf })).status, 303)
    const out = await oneEvent(app, beforeLogout, 'signout', '/disconnect')
    assert.equal(out.user, adele.userPrincipalName)
    assertNoSecrets(app, from, [cookie, csrf, formToken])
  })

  test('SE-12 state mismatch and sign-in failures (iss, nonce, invalid_grant): one event each with its reason', async () => {
    const from = app.logs.length
    const cases: [string, (callbackUrl: string) => Promise<void> | void, RegExp, string][] = [
      ['state', () => undefined, /state unknown, used or foreign/, 'signin.rejected'],
      ['iss', () => undefined, /issuer https:\/\/evil\.example/, 'signin.failed'],
      [
        'nonce',
        async () => void (await emulator.shapeNextIdToken({ nonce: 'not-the-nonce' })),
        /nonce[ _]mismatch/,
        'signin.failed',
      ],
      [
        'invalid_grant',
        async () =>
          void (await emulator.addFault({
            match: TOKEN_ENDPOINT,
            count: 1,
            action: {
              status: 400,
              body: oauthError(
                'invalid_grant',
                54005,
                'OAuth2 Authorization code was already redeemed.',
              ),
            },
          })),
        /invalid_grant.*AADSTS54005/,
        'signin.failed',
      ],
    ]
    for (const [name, prepare, reason, event] of cases) {
      const client = app.browser()
      const { callbackUrl } = await client.startSignIn(adele)
      await prepare(callbackUrl)
      const url = new URL(callbackUrl)
      if (name === 'state') url.searchParams.set('state', 'x'.repeat(43))
      if (name === 'iss') url.searchParams.set('iss', 'https://evil.example')
      const mark = app.logs.length
      assert.equal((await client.request(url.toString())).status, 400, name)
      const found = await oneEvent(app, mark, event, '/connect/get_token/')
      assert.match(String(found.reason), reason, name)
      assert.equal(
        found.errorCode,
        {
          state: undefined,
          iss: 'ERR_AUTH_ISSUER_MISMATCH',
          nonce: 'ERR_AUTH_ID_TOKEN_INVALID',
          invalid_grant: 'ERR_AUTH_CODE_REJECTED',
        }[name],
        name,
      )
      assert.equal(logLines(app, mark).filter((line) => line.event === 'signin.success').length, 0)
    }
    assertNoSecrets(app, from, [])
  })

  test('SE-12 CSRF failures (token, foreign Origin, form token): one csrf.rejected event each with its reason', async () => {
    const client = app.browser()
    assert.equal((await client.signIn(megan)).status, 303)
    const tokens = await client.formTokens()
    const from = app.logs.length
    const cases: [Record<string, string>, Record<string, string>, RegExp][] = [
      [{ _csrf: 'x'.repeat(43) }, {}, /token mismatch/],
      [{}, { origin: 'https://evil.example' }, /foreign Origin/],
      [{ _form: 'y'.repeat(24) + '.zz' }, {}, /form token/],
    ]
    for (const [fields, headers, reason] of cases) {
      const mark = app.logs.length
      const answer = await client.postSend(
        { _csrf: tokens.csrf, _form: tokens.form, to: megan.userPrincipalName, ...fields },
        { headers: headers },
      )
      assert.equal(answer.status, 403)
      assert.match(String((await oneEvent(app, mark, 'csrf.rejected', '/send')).reason), reason)
    }
    assertNoSecrets(app, from, [tokens.csrf, tokens.form, client.cookie(app.url, 'session')!])
  })

  test('SE-12 rate-limit hits (sign-in per IP, send per user): one ratelimit.hit event each', async () => {
    const limited = await system.startApp({
      env: { SIGNIN_LIMIT_PER_MINUTE: '2', SEND_LIMIT_PER_MINUTE: '1' },
    })
    try {
      const client = app.browser()
      assert.equal((await client.signIn(megan, limited.url)).status, 303)
      // Fixed one-minute windows: at most one window boundary can pass, so a 429 comes within limit + 2 tries.
      let mark = limited.logs.length
      let answer: Page | undefined
      for (let tries = 0; tries < 3 && answer?.status !== 429; tries++) {
        mark = limited.logs.length
        answer = await client.postSend({ to: megan.userPrincipalName }, { base: limited.url })
      }
      assert.equal(answer!.status, 429)
      assert.match(
        String((await oneEvent(limited, mark, 'ratelimit.hit', '/send')).reason),
        /rate limit send:/,
      )
      answer = undefined
      for (let tries = 0; tries < 5 && answer?.status !== 429; tries++) {
        mark = limited.logs.length
        answer = await app.browser().request(`${limited.url}/connect`)
      }
      assert.equal(answer!.status, 429)
      assert.match(
        String((await oneEvent(limited, mark, 'ratelimit.hit', '/connect')).reason),
        /rate limit signin:/,
      )
    } finally {
      await limited.close()
    }
  })

  test('SE-12 a CR/LF with a fake JSON record in an IdP error or a subject cannot forge a log line', async () => {
    const from = app.logs.length
    const forged = '\n{"level":30,"msg":"forged","event":"signin.success"}\r\n'
    const client = app.browser()
    const connect = await client.request(`${app.url}/connect`)
    const state = new URL(connect.location!).searchParams.get('state')!
    const answer = await client.request(
      `${app.url}/connect/get_token/?${new URLSearchParams({ state, error: `access_denied${forged}`, error_description: `AADSTS65004: no${forged}` })}`,
    )
    assert.equal(answer.status, 400)
    const failed = await oneEvent(app, from, 'signin.failed', '/connect/get_token/')
    assert.match(String(failed.reason), /forged/, 'the value is logged, as data')
    const signedIn = app.browser()
    assert.equal((await signedIn.signIn(adele)).status, 303)
    await signedIn.postSend({ to: adele.userPrincipalName, subject: `Hello${forged}` })
    const lines = logLines(app, from) // each parses as exactly one JSON object
    assert.equal(lines.filter((line) => line.msg === 'forged').length, 0)
    assert.equal(
      lines.filter((line) => line.event === 'signin.success').length,
      1,
      'only the real sign-in',
    )
  })
})
