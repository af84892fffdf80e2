// The web app over HTTP with the real core against the real emulator: what the emulator's journal proves.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { startStack, type Stack } from './kit/stack.ts'
import { Jar } from './kit/web-app.ts'

let stack: Stack

before(async () => {
  stack = await startStack({ FLOW_INSPECTOR: 'false' })
})
after(async () => stack?.close())

async function get(path: string, jar: Jar, headers: Record<string, string> = {}) {
  const response = await fetch(`${stack.appUrl}${path}`, {
    redirect: 'manual',
    headers: { ...headers, cookie: jar.header() },
  })
  jar.take(response.headers.getSetCookie())
  return response
}

async function tokenRequestsSince(seq: number): Promise<number> {
  const journal = await stack.control('GET', `journal?since=${seq}`)
  return (journal.body.entries as { method: string; path: string }[]).filter(
    (entry) => entry.method === 'POST' && /\/oauth2\/(v2\.0\/)?token$/.test(entry.path),
  ).length
}

test('OA-01: a callback with a missing, wrong or foreign state is refused with 400 and makes no token request', async () => {
  const mark = (await stack.control('GET', 'mark')).body.seq as number
  const jar = new Jar()
  const connect = await get('/connect', jar)
  assert.equal(connect.status, 302)
  const state = new URL(String(connect.headers.get('location'))).searchParams.get('state') ?? ''
  for (const [path, cookieJar] of [
    ['/connect/get_token/?code=abc', jar],
    ['/connect/get_token/?code=abc&state=not-the-state', jar],
    [`/connect/get_token/?code=abc&state=${state}`, new Jar()],
  ] as const) {
    const response = await get(path, cookieJar)
    assert.equal(response.status, 400, path)
    assert.equal(response.headers.get('referrer-policy'), 'no-referrer')
    assert.match(await response.text(), /This sign-in link is no longer valid/)
  }
  assert.equal(await tokenRequestsSince(mark), 0)
})

test('OA-06 / OA-14: the redirect_uri is the configured one whatever Host or X-Forwarded-* say', async () => {
  const response = await get('/connect', new Jar(), {
    'x-forwarded-host': 'evil.example',
    'x-forwarded-proto': 'https',
    'x-forwarded-for': '1.2.3.4',
  })
  const location = new URL(String(response.headers.get('location')))
  assert.equal(location.searchParams.get('redirect_uri'), `${stack.appUrl}/connect/get_token/`)
  assert.equal(location.searchParams.get('response_mode'), 'query')
  assert.equal(location.searchParams.get('code_challenge_method'), 'S256')
  assert.doesNotMatch(
    String(response.headers.get('set-cookie')),
    /Secure/,
    'no Secure flip from a spoofed X-Forwarded-Proto',
  )
})

test('the IdP error page the emulator really sends back is explained, with no token request', async () => {
  const mark = (await stack.control('GET', 'mark')).body.seq as number
  const jar = new Jar()
  const connect = await get('/connect', jar)
  const state = new URL(String(connect.headers.get('location'))).searchParams.get('state') ?? ''
  const response = await get(
    `/connect/get_token/?error=access_denied&error_description=${encodeURIComponent('AADSTS65004: User declined to consent to access the app.')}&state=${state}`,
    jar,
  )
  assert.equal(response.status, 400)
  assert.match(await response.text(), /Sign-in cancelled/)
  assert.equal(await tokenRequestsSince(mark), 0)
})

test('flow inspector off → /flow is a 404; health and readiness with the SQLite store', async () => {
  assert.equal((await get('/flow', new Jar())).status, 404)
  assert.equal((await get('/healthz', new Jar())).status, 200)
  const ready = await get('/readyz', new Jar())
  assert.equal(ready.status, 200)
  assert.deepEqual(await ready.json(), { status: 'ready' })
})
