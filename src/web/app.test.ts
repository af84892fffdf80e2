/** buildApp through inject with a fake auth and Graph: pages, headers, sign-in, callback, send, sign-out (OA, SE). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { AuthError, closingTestApps, GraphError, Jar } from '../../test/kit/web-app.ts'
import { AppError } from '../core/index.ts'
import type { ConnectApp } from './app.ts'

/** Every app a test starts, closed when the file's tests are done. */
const startApp = closingTestApps()

async function signIn(app: ConnectApp, jar: Jar, query: Record<string, string> = {}) {
  const connect = await app.inject({ url: '/connect', headers: { cookie: jar.header() } })
  jar.take(connect.headers['set-cookie'])
  const state = new URL(String(connect.headers.location)).searchParams.get('state') ?? ''
  const callback = await app.inject({
    url: `/connect/get_token/?${new URLSearchParams({ code: 'CANARY-CODE-1', state, ...query })}`,
    headers: { cookie: jar.header() },
  })
  jar.take(callback.headers['set-cookie'])
  return { connect, callback, state }
}

async function formOf(app: ConnectApp, jar: Jar) {
  const page = await app.inject({ url: '/', headers: { cookie: jar.header() } })
  jar.take(page.headers['set-cookie'])
  const value = (name: string) =>
    page.body.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1] ?? ''
  return { page, csrf: value('_csrf'), form: value('_form') }
}

function post(
  app: ConnectApp,
  jar: Jar,
  url: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
) {
  return app.inject({
    method: 'POST',
    url,
    payload: new URLSearchParams(fields).toString(),
    headers: {
      cookie: jar.header(),
      'content-type': 'application/x-www-form-urlencoded',
      ...headers,
    },
  })
}

test('GET / signed out shows the Connect page with the sample texts, strict headers and no cookie', async () => {
  const { app } = await startApp()
  const response = await app.inject({ url: '/' })
  assert.equal(response.statusCode, 200)
  assert.match(response.body, /Microsoft Graph Connect sample/)
  assert.match(response.body, /Use the button below to connect to Microsoft 365\./)
  assert.match(response.body, /Connect to Microsoft 365/)
  assert.equal(response.headers['set-cookie'], undefined)
  const csp = String(response.headers['content-security-policy'])
  assert.match(csp, /default-src 'none'/)
  assert.match(csp, /form-action 'self' https:\/\/login\.example\.test/)
  assert.doesNotMatch(csp, /unsafe-inline/)
  assert.equal(response.headers['x-content-type-options'], 'nosniff')
  assert.equal(response.headers['referrer-policy'], 'strict-origin-when-cross-origin')
  assert.equal(response.headers['x-powered-by'], undefined)
  assert.equal(response.headers['strict-transport-security'], undefined)
  assert.match(String(response.headers['content-type']), /text\/html; charset=utf-8/)
})

test('SE-07: 404s, static files, health and errors carry the same headers; HSTS on https', async () => {
  const { app } = await startApp({
    PUBLIC_URL: 'https://mail.example.test',
    SESSION_SECRET: 'x'.repeat(40),
  })
  for (const url of [
    '/nope',
    '/static/app.css',
    '/healthz',
    '/connect/get_token/',
    '/disconnect',
  ]) {
    const response = await app.inject({ url })
    assert.match(String(response.headers['content-security-policy']), /frame-ancestors 'none'/, url)
    assert.equal(response.headers['x-content-type-options'], 'nosniff', url)
    assert.ok(response.headers['referrer-policy'], url)
    assert.equal(
      response.headers['strict-transport-security'],
      'max-age=31536000; includeSubDomains',
      url,
    )
    assert.equal(response.headers['x-powered-by'], undefined, url)
  }
  const missing = await app.inject({ url: '/nope' })
  assert.equal(missing.statusCode, 404)
  assert.match(missing.body, /Page not found/)
})

test('language: Accept-Language, ?lang= sets a cookie, the cookie is remembered', async () => {
  const { app } = await startApp()
  const byHeader = await app.inject({ url: '/', headers: { 'accept-language': 'fr-FR,fr;q=0.9' } })
  assert.match(byHeader.body, /Se connecter à Microsoft 365/)
  assert.match(byHeader.body, /<html lang="fr">/)
  const switched = await app.inject({ url: '/?lang=en', headers: { 'accept-language': 'fr' } })
  assert.match(switched.body, /Connect to Microsoft 365/)
  assert.match(String(switched.headers['set-cookie']), /^lang=en;.*HttpOnly.*SameSite=Lax/)
  const remembered = await app.inject({ url: '/', headers: { cookie: 'lang=fr' } })
  assert.match(remembered.body, /Utilisez le bouton ci-dessous/)
})

test('GET /connect: 302 to the authorize URL, a sign-in cookie (HttpOnly, Lax, Path=/, no Domain), no pre-login session', async () => {
  const { app, store } = await startApp()
  const response = await app.inject({
    url: '/connect',
    headers: { 'x-forwarded-host': 'evil.example' },
  })
  assert.equal(response.statusCode, 302)
  assert.match(
    String(response.headers.location),
    /^https:\/\/login\.example\.test\/tenant\/oauth2\/v2\.0\/authorize\?/,
  )
  const cookie = String(response.headers['set-cookie'])
  assert.match(cookie, /^signin=[\w-]{43};/)
  assert.match(cookie, /Max-Age=600/)
  assert.match(cookie, /HttpOnly/)
  assert.match(cookie, /SameSite=Lax/)
  assert.match(cookie, /Path=\//)
  assert.doesNotMatch(cookie, /Domain=/i)
  assert.doesNotMatch(cookie, /Secure/)
  assert.doesNotMatch(cookie, /session=/, 'no session before the sign-in completes')
  const state = new URL(String(response.headers.location)).searchParams.get('state')
  const pending = await store.get<{ browser: string }>(`signin:${state}`)
  assert.match(pending?.browser ?? '', /^[\w-]{43}$/)
  assert.ok(
    !cookie.includes(pending!.browser),
    'the record keeps a hash of the cookie, not the cookie',
  )
  const again = await app.inject({ url: '/connect', headers: { cookie: cookie.split(';')[0]! } })
  assert.equal(
    String(again.headers['set-cookie']).split(';')[0],
    cookie.split(';')[0],
    'a browser keeps its sign-in cookie (two tabs)',
  )
})

test('SE-02: on https the cookie is __Host- and Secure', async () => {
  const { app } = await startApp({
    PUBLIC_URL: 'https://mail.example.test',
    SESSION_SECRET: 'x'.repeat(40),
  })
  const response = await app.inject({ url: '/connect' })
  assert.match(String(response.headers['set-cookie']), /^__Host-signin=[\w-]{43};.*Secure/)
  const jar = new Jar()
  const { callback } = await signIn(app, jar)
  assert.match(String(callback.headers['set-cookie']), /__Host-session=[\w-]{43};.*Secure/)
})

test('OA-01: callback with state missing, wrong, foreign or used → 400 and no code redemption', async () => {
  const { app, script } = await startApp()
  const jar = new Jar()
  const connect = await app.inject({ url: '/connect' })
  jar.take(connect.headers['set-cookie'])
  const state = new URL(String(connect.headers.location)).searchParams.get('state') ?? ''
  const cases = [
    { url: '/connect/get_token/?code=c', cookie: jar.header() },
    { url: '/connect/get_token/?code=c&state=wrong', cookie: jar.header() },
    { url: `/connect/get_token/?code=c&state=${state}`, cookie: '' },
    {
      url: `/connect/get_token/?code=c&state=${state}`,
      cookie: 'signin=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    },
    {
      url: `/connect/get_token/?code=c&state=${state}`,
      cookie: 'session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    },
  ]
  for (const { url, cookie } of cases) {
    const response = await app.inject({ url, headers: cookie ? { cookie } : {} })
    assert.equal(response.statusCode, 400, url)
    assert.match(response.body, /This sign-in link is no longer valid/)
    assert.match(response.body, /Try again/)
    assert.equal(response.headers.location, undefined)
  }
  assert.equal(script.signIns.length, 0)
  const ok = await app.inject({
    url: `/connect/get_token/?code=c&state=${state}`,
    headers: { cookie: jar.header() },
  })
  assert.equal(ok.statusCode, 303)
  const replay = await app.inject({
    url: `/connect/get_token/?code=c&state=${state}`,
    headers: { cookie: jar.header() },
  })
  assert.equal(replay.statusCode, 400)
  assert.equal(script.signIns.length, 1)
})

test('OA-08 / SE-01: the callback rotates the session and redirects to a clean URL, no-store, no-referrer', async () => {
  const { app } = await startApp()
  const jar = new Jar()
  const first = await signIn(app, jar)
  const before = String(first.callback.headers['set-cookie']).match(/session=([\w-]+)/)?.[1]
  const { callback } = await signIn(app, jar) // signing in again from a signed-in browser
  const after = String(callback.headers['set-cookie']).match(/session=([\w-]+)/)?.[1]
  assert.equal(callback.statusCode, 303)
  assert.equal(callback.headers.location, '/')
  assert.equal(callback.headers['cache-control'], 'no-store')
  assert.equal(callback.headers['referrer-policy'], 'no-referrer')
  assert.ok(before && after && before !== after)
  const old = await app.inject({ url: '/', headers: { cookie: `session=${before}` } })
  assert.match(old.body, /Connect to Microsoft 365/)
  const home = await app.inject({ url: '/', headers: { cookie: jar.header() } })
  assert.match(home.body, /Hi, Adele Vance!/)
  assert.match(home.body, /You&#39;re now connected to Microsoft 365\. Click the button below/)
  assert.match(home.body, /id="f-to" name="to" type="text"[^>]*value="adele@contoso.test"/)
  assert.match(home.body, /Send mail/)
  assert.match(home.body, /src="\/me\/photo"/)
  const photo = await app.inject({ url: '/me/photo', headers: { cookie: jar.header() } })
  assert.equal(photo.headers['content-type'], 'image/png')
  assert.equal(home.headers['set-cookie'], undefined, 'a plain GET / does not rewrite the session')
})

test('SE-09: a display name with markup is escaped', async () => {
  const { app } = await startApp()
  const jar = new Jar()
  await signIn(app, jar, { name: '<script>alert(1)</script>' })
  const home = await app.inject({ url: '/', headers: { cookie: jar.header() } })
  assert.doesNotMatch(home.body, /<script>alert/)
  assert.match(home.body, /Hi, &lt;script&gt;alert\(1\)&lt;\/script&gt;!/)
})

test('OA-09: IdP error callbacks explain the fix, escape the text and never redirect', async () => {
  const { app, script } = await startApp()
  const cases: [Record<string, string>, RegExp][] = [
    [
      {
        error: 'access_denied',
        error_description: 'AADSTS65004: User declined to consent <script>x</script>',
      },
      /Sign-in cancelled/,
    ],
    [{ error: 'consent_required', error_description: 'AADSTS65001: consent' }, /Consent is needed/],
    [
      {
        error: 'invalid_request',
        error_description: 'AADSTS50011: The redirect URI does not match',
      },
      /add exactly this redirect URI: http:\/\/localhost:8000\/connect\/get_token\//,
    ],
    [
      { error: 'unauthorized_client', error_description: 'AADSTS700016: Application not found' },
      /AADSTS700016/,
    ],
    [{ error: 'server_error', error_description: '<img src=x onerror=alert(1)>' }, /server_error/],
  ]
  for (const [query, expected] of cases) {
    const jar = new Jar()
    const connect = await app.inject({ url: '/connect' })
    jar.take(connect.headers['set-cookie'])
    const state = new URL(String(connect.headers.location)).searchParams.get('state') ?? ''
    const response = await app.inject({
      url: `/connect/get_token/?${new URLSearchParams({ ...query, state })}`,
      headers: { cookie: jar.header() },
    })
    assert.equal(response.statusCode, 400, query.error)
    assert.match(response.body, expected)
    assert.doesNotMatch(response.body, /<script>x|<img src=x/)
    assert.equal(response.headers.location, undefined)
    assert.equal(response.headers['referrer-policy'], 'no-referrer')
  }
  assert.equal(script.signIns.length, 0)
})

test('token endpoint refusals explain the fix; unexpected errors give a generic page with a reference (SE-11)', async () => {
  const { app } = await startApp()
  const rejected = await signIn(app, new Jar(), { code: 'rejected' })
  assert.equal(rejected.callback.statusCode, 400)
  assert.match(rejected.callback.body, /The sign-in code was refused/)
  const secret = await signIn(app, new Jar(), { code: 'badsecret' })
  assert.equal(secret.callback.statusCode, 502)
  assert.match(secret.callback.body, /Create a new client secret/)
  const boom = await signIn(app, new Jar(), { code: 'boom' })
  assert.equal(boom.callback.statusCode, 500)
  assert.match(boom.callback.body, /Reference: [0-9a-f-]{36}/)
  assert.doesNotMatch(boom.callback.body, /secret\.ts|at \//)
})

test('SE-06: /send without a valid CSRF token or from another site → 403 and no send; GET /send never sends', async () => {
  const { app, script } = await startApp()
  const jar = new Jar()
  await signIn(app, jar)
  const { csrf, form } = await formOf(app, jar)
  const fields = { to: 'megan@contoso.test', subject: 'hi', body: 'x', _form: form }
  assert.equal((await post(app, jar, '/send', fields)).statusCode, 403)
  assert.equal((await post(app, jar, '/send', { ...fields, _csrf: 'forged' })).statusCode, 403)
  assert.equal(
    (await post(app, jar, '/send', { ...fields, _csrf: csrf }, { origin: 'https://evil.example' }))
      .statusCode,
    403,
  )
  assert.equal(
    (await post(app, jar, '/send', { ...fields, _csrf: csrf }, { 'sec-fetch-site': 'cross-site' }))
      .statusCode,
    403,
  )
  const other = new Jar()
  await signIn(app, other)
  const foreign = await formOf(app, other)
  assert.equal(
    (await post(app, jar, '/send', { ...fields, _csrf: foreign.csrf, _form: foreign.form }))
      .statusCode,
    403,
  )
  const get = await app.inject({
    url: '/send?to=a@b.test&subject=x',
    headers: { cookie: jar.header() },
  })
  assert.equal(get.statusCode, 405)
  assert.equal(script.sends.length, 0)
})

test('POST /send: Post/Redirect/Get with a one-time success flash', async () => {
  const { app, script } = await startApp()
  const jar = new Jar()
  await signIn(app, jar)
  const { csrf, form } = await formOf(app, jar)
  const response = await post(
    app,
    jar,
    '/send',
    {
      to: 'adele@contoso.test; megan@contoso.test',
      subject: 'hi',
      body: 'x',
      _csrf: csrf,
      _form: form,
    },
    { origin: 'http://localhost:8000', 'sec-fetch-site': 'same-origin' },
  )
  assert.equal(response.statusCode, 303)
  assert.equal(response.headers.location, '/')
  jar.take(response.headers['set-cookie'])
  const first = await app.inject({ url: '/', headers: { cookie: jar.header() } })
  assert.match(
    first.body,
    /role="status"[\s\S]*Successfully sent an email to adele@contoso.test, megan@contoso.test!/,
  )
  jar.take(first.headers['set-cookie'])
  const second = await app.inject({ url: '/', headers: { cookie: jar.header() } })
  assert.doesNotMatch(second.body, /Successfully sent/)
  assert.equal(script.sends.length, 1)
})

test('RE-03: five concurrent submits of one form send once and all answer 303 to the same result', async () => {
  const { app, script } = await startApp()
  script.sendDelayMs = 150
  const jar = new Jar()
  await signIn(app, jar)
  const { csrf, form } = await formOf(app, jar)
  const fields = { to: 'megan@contoso.test', subject: 'once', body: 'x', _csrf: csrf, _form: form }
  const results = await Promise.all(
    Array.from({ length: 5 }, () => post(app, jar, '/send', fields)),
  )
  assert.deepEqual(
    results.map((result) => [result.statusCode, result.headers.location]),
    Array(5).fill([303, '/']),
  )
  assert.equal(script.sends.length, 1)
  const again = await formOf(app, jar)
  await post(app, jar, '/send', { ...fields, _form: again.form })
  assert.equal(script.sends.length, 2)
})

test('SE-08: invalid input → 400, nothing sent, the form comes back exactly as typed', async () => {
  const { app, script } = await startApp()
  const jar = new Jar()
  await signIn(app, jar)
  const { csrf, form } = await formOf(app, jar)
  const typed = {
    to: 'not an address',
    cc: 'x@y.test',
    subject: 'Line\r\nBcc: evil@x.test',
    body: 'Typed <b>body</b> "quoted"',
    importance: 'high',
    format: 'text',
  }
  const response = await post(app, jar, '/send', { ...typed, _csrf: csrf, _form: form })
  assert.equal(response.statusCode, 400)
  assert.match(response.body, /role="alert"/)
  assert.match(response.body, /value="not an address"/)
  assert.match(response.body, /aria-describedby="to-hint to-error"/)
  assert.match(response.body, /Typed &lt;b&gt;body&lt;\/b&gt; &quot;quoted&quot;<\/textarea>/)
  assert.match(response.body, /<option value="high" selected>/)
  assert.match(response.body, /value="text" checked/)
  assert.equal(script.sends.length, 0)
})

test('a Graph failure says what happened and keeps the form; an unknown outcome says to check Sent Items', async () => {
  const { app, script } = await startApp()
  const jar = new Jar()
  await signIn(app, jar)
  script.sendError = new GraphError('ERR_GRAPH_FORBIDDEN', { httpStatus: 403, requestId: 'req-1' })
  let { csrf, form } = await formOf(app, jar)
  let response = await post(app, jar, '/send', {
    to: 'megan@contoso.test',
    subject: 'Kept subject',
    body: 'kept',
    _csrf: csrf,
    _form: form,
  })
  assert.equal(response.statusCode, 303)
  let page = await app.inject({ url: '/', headers: { cookie: jar.header() } })
  assert.match(page.body, /the Mail\.Send permission/)
  assert.match(page.body, /Graph request-id: req-1/)
  assert.match(page.body, /value="Kept subject"/)
  jar.take(page.headers['set-cookie'])
  script.sendError = new GraphError('ERR_GRAPH_OUTCOME_UNKNOWN', { httpStatus: 504 })
  ;({ csrf, form } = {
    csrf: page.body.match(/name="_csrf" value="([^"]*)"/)?.[1] ?? '',
    form: page.body.match(/name="_form" value="([^"]*)"/)?.[1] ?? '',
  })
  response = await post(app, jar, '/send', {
    to: 'megan@contoso.test',
    subject: 'Kept',
    body: 'kept',
    _csrf: csrf,
    _form: form,
  })
  assert.equal(response.statusCode, 303)
  page = await app.inject({ url: '/', headers: { cookie: jar.header() } })
  assert.match(page.body, /Check your Sent Items before sending again/)
})

test('RE-05: a token that cannot be renewed → one redirect to sign in again, the form kept', async () => {
  const { app, script } = await startApp()
  const jar = new Jar()
  await signIn(app, jar)
  script.tokenError = new AuthError('ERR_AUTH_INTERACTION_REQUIRED', { idpError: 'invalid_grant' })
  const { csrf, form } = await formOf(app, jar)
  const response = await post(app, jar, '/send', {
    to: 'megan@contoso.test',
    subject: 'Keep me',
    body: 'b',
    _csrf: csrf,
    _form: form,
  })
  assert.equal(response.statusCode, 303)
  assert.equal(response.headers.location, '/connect')
  script.tokenError = undefined
  await signIn(app, jar)
  const page = await app.inject({ url: '/', headers: { cookie: jar.header() } })
  assert.match(page.body, /value="Keep me"/)
})

test('SE-14: per-user send limit and per-IP sign-in limit → 429 with Retry-After', async () => {
  const { app, script } = await startApp({
    SEND_LIMIT_PER_MINUTE: '2',
    SIGNIN_LIMIT_PER_MINUTE: '3',
  })
  const jar = new Jar()
  await signIn(app, jar)
  const statuses = []
  for (let i = 0; i < 3; i++) {
    const { csrf, form } = await formOf(app, jar)
    const response = await post(app, jar, '/send', {
      to: 'megan@contoso.test',
      subject: `n${i}`,
      body: 'b',
      _csrf: csrf,
      _form: form,
    })
    statuses.push(response.statusCode)
    if (response.statusCode === 429) {
      assert.match(String(response.headers['retry-after']), /^\d+$/)
      assert.match(response.body, /value="n2"/)
    }
  }
  assert.deepEqual(statuses, [303, 303, 429])
  assert.equal(script.sends.length, 2)
  const connects = []
  for (let i = 0; i < 4; i++)
    connects.push(
      (await app.inject({ url: '/connect', headers: { 'x-forwarded-for': `10.0.0.${i}` } }))
        .statusCode,
    )
  assert.deepEqual(connects, [302, 302, 429, 429])
})

test('SE-05: disconnect is POST-only with CSRF, destroys the session and token cache, and the old cookie stays dead', async () => {
  const { app, script } = await startApp()
  const jar = new Jar()
  await signIn(app, jar)
  const { csrf, form } = await formOf(app, jar)
  assert.equal(
    (await app.inject({ url: '/disconnect', headers: { cookie: jar.header() } })).statusCode,
    405,
  )
  assert.equal((await post(app, jar, '/disconnect', {})).statusCode, 403)
  const cookie = jar.header()
  script.sendDelayMs = 200
  const slowSend = post(app, jar, '/send', {
    to: 'megan@contoso.test',
    subject: 's',
    body: 'b',
    _csrf: csrf,
    _form: form,
  })
  await new Promise((resolve) => setTimeout(resolve, 50))
  const out = await post(app, jar, '/disconnect', { _csrf: csrf })
  assert.equal(out.statusCode, 303)
  assert.match(String(out.headers.location), /\/oauth2\/v2\.0\/logout\?/)
  assert.equal(script.forgotten.length, 1)
  await slowSend
  const after = await app.inject({ url: '/', headers: { cookie } })
  assert.match(after.body, /Connect to Microsoft 365/)
  assert.doesNotMatch(after.body, /Hi, /)
})

test('RE-10: /healthz always 200; /readyz 503 when the store is down or shutting down', async () => {
  const { app, store } = await startApp()
  assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200)
  assert.equal((await app.inject({ url: '/readyz' })).statusCode, 200)
  const ping = store.ping
  store.ping = () => Promise.reject(new Error('down'))
  assert.equal((await app.inject({ url: '/readyz' })).statusCode, 503)
  store.ping = ping
  app.markShuttingDown()
  assert.equal((await app.inject({ url: '/readyz' })).statusCode, 503)
  assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200)
})

test('RE-07: a store outage gives a quick 503 page, not a 500', async () => {
  const { app, store } = await startApp()
  store.get = () => Promise.reject(new AppError('ERR_STORE_UNAVAILABLE'))
  const response = await app.inject({
    url: '/',
    headers: { cookie: 'session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
  })
  assert.equal(response.statusCode, 503)
  assert.equal(response.headers['retry-after'], '5')
  assert.match(response.body, /temporarily unavailable/)
})

test('GET /flow shows the five steps for this session only, secrets redacted; 404 when disabled', async () => {
  const { app } = await startApp()
  const jar = new Jar()
  await signIn(app, jar)
  const response = await app.inject({ url: '/flow', headers: { cookie: jar.header() } })
  assert.equal(response.statusCode, 200)
  assert.match(response.body, /1\. Redirect to the sign-in page/)
  assert.match(response.body, /client_id/)
  assert.doesNotMatch(response.body, /CANARY-CODE-1/)
  const off = await startApp({ FLOW_INSPECTOR: 'false' })
  assert.equal((await off.app.inject({ url: '/flow' })).statusCode, 404)
})

test('the signed-in page, kept rendered: a fresh form token per view, per session, per language; a flash still shows', async () => {
  const { app } = await startApp()
  const jar = new Jar()
  await signIn(app, jar)
  const first = await formOf(app, jar)
  const second = await formOf(app, jar)
  assert.notEqual(first.form, second.form)
  assert.equal(first.page.body.replace(first.form, ''), second.page.body.replace(second.form, ''))
  assert.equal(first.page.headers['content-type'], 'text/html; charset=utf-8')
  assert.equal(Number(first.page.headers['content-length']), Buffer.byteLength(first.page.body))
  const other = new Jar()
  await signIn(app, other)
  const foreign = await formOf(app, other)
  assert.notEqual(foreign.csrf, first.csrf)
  assert.ok(foreign.page.body.includes(foreign.csrf) && !foreign.page.body.includes(first.csrf))
  const french = await app.inject({ url: '/?lang=fr', headers: { cookie: jar.header() } })
  assert.match(french.body, /<html lang="fr">/)
  const response = await post(app, jar, '/send', {
    to: 'megan@contoso.test',
    subject: 'hi',
    body: 'x',
    _csrf: first.csrf,
    _form: second.form,
  })
  assert.equal(response.statusCode, 303)
  const after = await app.inject({ url: '/', headers: { cookie: jar.header() } })
  assert.match(after.body, /megan@contoso\.test/)
  assert.match(after.body, /banner--success/)
  const next = await formOf(app, jar)
  assert.doesNotMatch(next.page.body, /banner--success/)
})
