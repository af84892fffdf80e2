/**
 * CSRF (SE-06) and security headers on every response (SE-07), black-box over HTTP and in Chromium with an attacker
 * page served from another site (localhost) against the app on 127.0.0.1.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { Browser as Chromium, Page as PageLike } from 'playwright-core'
import type { EmulatorClient } from '../../src/emulator/index.ts'
import type { Page } from '../kit/browser.ts'
import { connectInChromium, launchChromium } from '../kit/chromium.ts'
import { TOKEN_ENDPOINT } from '../kit/faults.ts'
import { sends } from '../kit/journal.ts'
import { SECURITY, startSystem, type AppInstance, type System } from '../kit/system.ts'

let system: System
let emulator: EmulatorClient
let app: AppInstance
let chromium: Chromium
let attacker: Server
let attackerUrl: string
let attackerPage = ''

before(async () => {
  system = await startSystem(SECURITY)
  emulator = system.client
  app = await system.startApp()
  chromium = await launchChromium()
  attacker = createServer((_request, response) =>
    response.writeHead(200, { 'content-type': 'text/html' }).end(attackerPage),
  )
  await new Promise<void>((resolve) => attacker.listen(0, 'localhost', resolve))
  attackerUrl = `http://localhost:${(attacker.address() as { port: number }).port}`
})

after(async () => {
  await chromium?.close()
  if (attacker) await new Promise((resolve) => attacker.close(resolve))
  await system?.close()
})

async function signedInClient() {
  const client = app.browser()
  assert.equal((await client.signIn(system.user('adele'))).status, 303)
  return client
}

describe('SE-06 CSRF', () => {
  test('SE-06 POST /send without a CSRF token → 403, no sendMail, still signed in', async () => {
    const client = await signedInClient()
    const { form } = await client.formTokens()
    const mark = await emulator.mark()
    const answer = await client.post(`${app.url}/send`, {
      _form: form,
      to: 'megan@contoso.test',
      subject: 'x',
      body: 'y',
    })
    assert.equal(answer.status, 403)
    const empty = await client.postSend({ to: 'megan@contoso.test', _csrf: '', _form: form })
    assert.equal(empty.status, 403)
    assert.equal((await sends(emulator, mark)).length, 0)
    assert.equal(await client.isSignedIn(), true)
  })

  test('SE-06 the tokens of another session → 403, no sendMail', async () => {
    const victim = await signedInClient()
    const other = await (await signedInClient()).formTokens()
    const own = await victim.formTokens()
    const mark = await emulator.mark()
    const mixes: [{ _csrf: string; _form: string }, string | undefined][] = [
      [{ _csrf: other.csrf, _form: other.form }, undefined],
      [{ _csrf: own.csrf, _form: other.form }, 'a form token of another session'],
      [{ _csrf: other.csrf, _form: own.form }, 'a CSRF token of another session'],
    ]
    for (const [tokens, message] of mixes) {
      const answer = await victim.postSend({ to: 'megan@contoso.test', ...tokens })
      assert.equal(answer.status, 403, message)
    }
    assert.equal((await sends(emulator, mark)).length, 0)
  })

  test('SE-06 valid tokens but a cross-site Origin or Sec-Fetch-Site → 403, no sendMail', async () => {
    const client = await signedInClient()
    const mark = await emulator.mark()
    const forged: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { origin: emulator.url },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
    ]
    for (const headers of forged) {
      const answer = await client.postSend({ to: 'megan@contoso.test' }, { headers: headers })
      assert.equal(answer.status, 403, JSON.stringify(headers))
    }
    const disconnect = await client.post(
      `${app.url}/disconnect`,
      { _csrf: (await client.formTokens()).csrf },
      { origin: 'https://evil.example' },
    )
    assert.equal(disconnect.status, 403)
    assert.equal((await sends(emulator, mark)).length, 0)
    assert.equal(await client.isSignedIn(), true)
    // The same request from the app's own page is accepted: the checks refuse only what they should.
    assert.equal(
      (
        await client.postSend(
          { to: 'megan@contoso.test' },
          { headers: { origin: app.url, 'sec-fetch-site': 'same-origin' } },
        )
      ).status,
      303,
    )
    assert.equal((await sends(emulator, mark)).length, 1)
  })

  test('SE-06 GET never sends: GET /send?to=… → 405, no sendMail', async () => {
    const client = await signedInClient()
    const mark = await emulator.mark()
    for (const method of ['GET', 'HEAD']) {
      const answer = await client.request(
        `${app.url}/send?to=megan@contoso.test&subject=x&body=y`,
        { method },
      )
      assert.equal(answer.status, 405, method)
    }
    assert.equal((await sends(emulator, mark)).length, 0)
  })

  test('SE-06 POST /disconnect without the CSRF token → 403 and the session survives', async () => {
    const client = await signedInClient()
    const answer = await client.post(`${app.url}/disconnect`, {})
    assert.equal(answer.status, 403)
    assert.equal(await client.isSignedIn(), true)
  })

  test('SE-06 in Chromium: an auto-submitting form on another site posting to /send → 403, no sendMail', async () => {
    const context = await chromium.newContext()
    const page = await context.newPage()
    await chromiumSignIn(page)
    const tokens = await page.evaluate(() => ({
      csrf: (document.querySelector('input[name=_csrf]') as HTMLInputElement).value,
      form: (document.querySelector('input[name=_form]') as HTMLInputElement).value,
    }))
    // Even with the victim's real tokens (the worst case: leaked), the cross-site POST is refused.
    attackerPage = `<!doctype html><form method="post" action="${app.url}/send" enctype="application/x-www-form-urlencoded">
      <input name="_csrf" value="${tokens.csrf}"><input name="_form" value="${tokens.form}"><input name="to" value="megan@contoso.test">
      <input name="subject" value="forged"><input name="body" value="forged"><input name="format" value="text"></form>
      <script>document.forms[0].submit()</script>`
    const mark = await emulator.mark()
    const posted = page.waitForResponse((response) => response.url() === `${app.url}/send`)
    await page.goto(attackerUrl)
    const response = await posted
    assert.equal(response.status(), 403)
    assert.equal((await sends(emulator, mark)).length, 0)
    await context.close()
  })
})

async function chromiumSignIn(page: PageLike): Promise<void> {
  await connectInChromium(page, app.url, emulator.url, system.user('adele'))
}

function assertStrictHeaders(page: Page, label: string, https = false): void {
  const header = (name: string) => page.headers.get(name)
  const csp = header('content-security-policy') ?? ''
  assert.ok(csp, `${label}: CSP`)
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/, `${label}: CSP ${csp}`)
  const directives = new Map(
    csp
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .map(([name, ...values]) => [name!, values]),
  )
  assert.deepEqual(directives.get('script-src'), ["'self'"], `${label}: script-src`)
  assert.ok(
    directives.get('object-src')?.includes("'none'") ||
      directives.get('default-src')?.includes("'none'"),
    `${label}: object-src none`,
  )
  assert.deepEqual(directives.get('base-uri'), ["'none'"], `${label}: base-uri`)
  assert.deepEqual(directives.get('frame-ancestors'), ["'none'"], `${label}: frame-ancestors`)
  assert.ok(
    directives.get('form-action')?.includes("'self'") &&
      directives.get('form-action')?.includes(emulator.url),
    `${label}: form-action 'self' + the IdP`,
  )
  assert.equal(header('x-content-type-options'), 'nosniff', label)
  assert.ok(
    ['no-referrer', 'strict-origin-when-cross-origin', 'same-origin'].includes(
      header('referrer-policy') ?? '',
    ),
    `${label}: Referrer-Policy`,
  )
  assert.equal(header('x-frame-options'), 'DENY', label)
  assert.equal(header('x-powered-by'), null, label)
  if (https) assert.match(header('strict-transport-security') ?? '', /max-age=(\d+)/, label)
  else assert.equal(header('strict-transport-security'), null, `${label}: no HSTS over plain HTTP`)
  assert.equal(
    Number(/max-age=(\d+)/.exec(header('strict-transport-security') ?? 'max-age=31536000')![1]) >=
      31536000,
    true,
  )
  const type = header('content-type')
  if (type?.startsWith('text/')) assert.match(type, /charset=utf-8/i, label)
}

describe('SE-07 headers on every response', () => {
  async function everyKindOfResponse(instance: AppInstance): Promise<[string, Page][]> {
    const anonymous = app.browser()
    const client = app.browser()
    const { callbackUrl, connect } = await client.startSignIn(system.user('adele'), instance.url)
    const callback = await client.request(callbackUrl)
    const pages: [string, Page][] = [
      ['GET / (Connect page)', await anonymous.request(`${instance.url}/`)],
      ['GET /connect (302)', connect],
      ['callback (303)', callback],
      ['callback replayed (400)', await client.request(callbackUrl)],
      [
        'callback without parameters',
        await anonymous.request(`${instance.url}/connect/get_token/`),
      ],
      ['GET / signed in', await client.request(`${instance.url}/`)],
      ['GET /send (405)', await client.request(`${instance.url}/send`)],
      ['POST /send forged (403)', await client.post(`${instance.url}/send`, { to: 'x' })],
      ['404', await anonymous.request(`${instance.url}/does-not-exist`)],
      ['404 under /static', await anonymous.request(`${instance.url}/static/nope.js`)],
      ['static CSS', await anonymous.request(`${instance.url}/static/app.css`)],
      ['static JS', await anonymous.request(`${instance.url}/static/app.js`)],
      ['/healthz', await anonymous.request(`${instance.url}/healthz`)],
      ['/readyz', await anonymous.request(`${instance.url}/readyz`)],
      [
        'malformed JSON body (400)',
        await client.request(`${instance.url}/send`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"to":',
        }),
      ],
      [
        'oversized body (413)',
        await client.post(`${instance.url}/send`, { to: 'a'.repeat(400_000) }),
      ],
    ]
    // A server-side failure: the token endpoint answers garbage during a sign-in.
    const failing = app.browser()
    const started = await failing.startSignIn(system.user('adele'), instance.url)
    await emulator.addFault({
      match: TOKEN_ENDPOINT,
      count: 1,
      action: {
        status: 500,
        body: '<html>upstream trace at Foo.bar (C:\\\\inetpub\\\\x.cs:12)</html>',
      },
    })
    pages.push(['5xx (token endpoint failure)', await failing.request(started.callbackUrl)])
    return pages
  }

  test('SE-07 every response (pages, redirects, 404, 405, 403, 4xx, 5xx, static, health, callback) carries the strict headers', async () => {
    const pages = await everyKindOfResponse(app)
    assert.ok(
      pages.some(([, page]) => page.status >= 500),
      'a 5xx was among them',
    )
    for (const [label, page] of pages) assertStrictHeaders(page, `${label} (${page.status})`)
    const signedIn = pages.find(([label]) => label === 'GET / signed in')![1]
    assert.equal(
      signedIn.headers.get('cache-control'),
      'no-store',
      'authenticated pages are not cached',
    )
  })

  test('SE-07 over HTTPS the same responses also carry HSTS ≥ 1 year', async () => {
    const tls = await system.startApp({ publicScheme: 'https' })
    try {
      const anonymous = app.browser()
      for (const path of [
        '/',
        '/does-not-exist',
        '/static/app.css',
        '/healthz',
        '/connect',
        '/connect/get_token/',
      ]) {
        const page = await anonymous.request(`${tls.url}${path}`)
        assertStrictHeaders(page, `${path} (${page.status})`, true)
      }
    } finally {
      await tls.close()
    }
  })

  test('SE-07 in Chromium: framing from another site is blocked; disconnect reaches the IdP logout with no CSP violation', async () => {
    const context = await chromium.newContext()
    const page = await context.newPage()
    const violations: string[] = []
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text()))
        violations.push(message.text())
    })
    await chromiumSignIn(page)
    attackerPage = `<!doctype html><iframe id="victim" src="${app.url}/" width="600" height="400"></iframe>`
    await page.goto(attackerUrl)
    await page.waitForTimeout(1000)
    const framed = page.frames().find((frame) => frame !== page.mainFrame())
    const rendered =
      framed && framed.url().startsWith(app.url) ? await framed.$('h1').catch(() => null) : null
    assert.equal(rendered, null, 'the app did not render inside a foreign frame')
    assert.ok(
      violations.some((text) => /frame-ancestors|X-Frame-Options/i.test(text)),
      `the browser reported the refusal: ${violations.join(' | ')}`,
    )

    violations.length = 0
    await page.goto(`${app.url}/`)
    const mark = await emulator.mark()
    await page.click('.appbar__form button')
    await page.waitForURL(
      (url) => url.toString().startsWith(`${app.url}/`) && !url.toString().includes('disconnect'),
    )
    assert.equal(
      (await emulator.journal({ since: mark, path: /\/oauth2\/v2\.0\/logout$/ })).length,
      1,
      'the IdP logout was reached',
    )
    assert.deepEqual(violations, [])
    assert.match((await page.textContent('main')) ?? '', /Connect to Microsoft 365/)
    await context.close()
  })
})
