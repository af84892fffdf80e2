/** The web app over HTTP with the real core against the real emulator: what the emulator's journal proves. */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { tokenRequests } from './kit/journal.ts'
import { startSystem, type AppInstance, type System } from './kit/system.ts'

let system: System
let app: AppInstance

before(async () => {
  system = await startSystem()
  app = await system.startApp({ env: { FLOW_INSPECTOR: 'false' } })
})
after(async () => system?.close())

const browser = () => app.browser()

test('OA-01: a callback with a missing, wrong or foreign state is refused with 400 and makes no token request', async () => {
  const mark = await system.client.mark()
  const own = browser()
  const connect = await own.get('/connect')
  assert.equal(connect.status, 302)
  const state = new URL(String(connect.location)).searchParams.get('state') ?? ''
  for (const [path, client] of [
    ['/connect/get_token/?code=abc', own],
    ['/connect/get_token/?code=abc&state=not-the-state', own],
    [`/connect/get_token/?code=abc&state=${state}`, browser()],
  ] as const) {
    const response = await client.get(path)
    assert.equal(response.status, 400, path)
    assert.equal(response.headers.get('referrer-policy'), 'no-referrer')
    assert.match(response.body, /This sign-in link is no longer valid/)
  }
  assert.equal((await tokenRequests(system.client, mark)).length, 0)
})

test('OA-06 / OA-14: the redirect_uri is the configured one whatever Host or X-Forwarded-* say', async () => {
  const spoofing = app.browser({
    headers: {
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'https',
      'x-forwarded-for': '1.2.3.4',
    },
  })
  const response = await spoofing.get('/connect')
  const location = new URL(String(response.location))
  assert.equal(location.searchParams.get('redirect_uri'), `${app.url}/connect/get_token/`)
  assert.equal(location.searchParams.get('response_mode'), 'query')
  assert.equal(location.searchParams.get('code_challenge_method'), 'S256')
  assert.doesNotMatch(
    String(response.headers.get('set-cookie')),
    /Secure/,
    'no Secure flip from a spoofed X-Forwarded-Proto',
  )
})

test('the IdP error page the emulator really sends back is explained, with no token request', async () => {
  const mark = await system.client.mark()
  const client = browser()
  const connect = await client.get('/connect')
  const state = new URL(String(connect.location)).searchParams.get('state') ?? ''
  const response = await client.get(
    `/connect/get_token/?error=access_denied&error_description=${encodeURIComponent('AADSTS65004: User declined to consent to access the app.')}&state=${state}`,
  )
  assert.equal(response.status, 400)
  assert.match(response.body, /Sign-in cancelled/)
  assert.equal((await tokenRequests(system.client, mark)).length, 0)
})

test('flow inspector off → /flow is a 404; health and readiness with the SQLite store', async () => {
  assert.equal((await browser().get('/flow')).status, 404)
  assert.equal((await browser().get('/healthz')).status, 200)
  const ready = await browser().get('/readyz')
  assert.equal(ready.status, 200)
  assert.deepEqual(JSON.parse(ready.body), { status: 'ready' })
})
