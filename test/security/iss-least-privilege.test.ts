/**
 * OA-05 with an identity provider that advertises RFC 9207 (emulator `issParameter: true`), and OA-12 least privilege
 * over a whole journey, black-box: the app on 127.0.0.1, the emulator on localhost, the emulator's journal.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { EmulatorClient, JournalEntry } from '../../src/emulator/index.ts'
import { fieldsOf, tokenRequests } from '../kit/journal.ts'
import { SECURITY, startSystem, type AppInstance, type System } from '../kit/system.ts'
import { withParams } from '../kit/with-params.ts'

describe('OA-05 the identity provider advertises authorization_response_iss_parameter_supported', () => {
  let system: System
  let emulator: EmulatorClient
  let app: AppInstance
  let issuer: string

  before(async () => {
    system = await startSystem({ ...SECURITY, emulator: { issParameter: true } })
    emulator = system.client
    app = await system.startApp()
    issuer = `${emulator.url}/${system.emulator.demo.tenantId}/v2.0`
  })
  after(() => system?.close())

  test('OA-05 advertised iss: a callback without iss → 400, no token request; with the right iss → signed in', async () => {
    const client = app.browser()
    const { callbackUrl } = await client.startSignIn(system.user('adele'))
    assert.equal(new URL(callbackUrl).searchParams.get('iss'), issuer, 'the emulator sends iss')
    const mark = await emulator.mark()
    const stripped = await client.request(withParams(callbackUrl, (params) => params.delete('iss')))
    assert.equal(stripped.status, 400)
    assert.equal((await tokenRequests(emulator, mark)).length, 0)
    assert.equal(await client.isSignedIn(), false)

    const second = app.browser()
    const fresh = await second.startSignIn(system.user('adele'))
    const landed = await second.request(fresh.callbackUrl)
    assert.equal(landed.status, 303)
    assert.equal((await tokenRequests(emulator, mark)).length, 1)
    assert.equal(await second.isSignedIn(), true)
  })

  test("OA-05 advertised iss: an error response without iss, or naming another issuer, is not shown as this provider's error", async () => {
    for (const iss of [undefined, 'https://evil.example/v2.0']) {
      const client = app.browser()
      const connect = await client.request(`${app.url}/connect`)
      const state = new URL(connect.location!).searchParams.get('state')!
      const mark = await emulator.mark()
      const query = new URLSearchParams({
        state,
        error: 'access_denied',
        error_description: 'AADSTS65004: MARKER-FROM-ELSEWHERE',
        ...(iss ? { iss } : {}),
      })
      const answer = await client.request(`${app.url}/connect/get_token/?${query}`)
      assert.equal(answer.status, 400)
      assert.doesNotMatch(answer.body, /MARKER-FROM-ELSEWHERE|AADSTS65004/)
      assert.equal((await tokenRequests(emulator, mark)).length, 0)
    }
  })
})

/** An authorize request of the code flow, on the v2 endpoint, for exactly the configured scopes. */
function assertCodeFlowAuthorize(entry: JournalEntry, configured: Set<string>): void {
  const fields = fieldsOf(entry)
  assert.equal(
    fields.response_type,
    'code',
    'code flow only: no token, id_token or hybrid response types',
  )
  assert.equal(fields.response_mode, 'query')
  assert.deepEqual(
    new Set(fields.scope!.split(' ')),
    configured,
    'the authorize request asks for exactly the configured scopes',
  )
  assert.match(entry.path, /\/oauth2\/v2\.0\/authorize$/, 'v2 endpoint only')
}

/** Two code redemptions, at least one refresh, no other grant, no password, no scope beyond the configured ones. */
function assertConfiguredGrants(tokens: JournalEntry[], configured: Set<string>): void {
  const grants = tokens.map((entry) => fieldsOf(entry).grant_type)
  assert.equal(grants.filter((grant) => grant === 'authorization_code').length, 2)
  assert.ok(
    grants.filter((grant) => grant === 'refresh_token').length >= 1,
    `refresh grants expected: ${grants.join(', ')}`,
  )
  assert.deepEqual(
    grants.filter((grant) => grant !== 'authorization_code' && grant !== 'refresh_token'),
    [],
    'no password, client_credentials or device_code grant',
  )
  for (const entry of tokens) {
    const fields = fieldsOf(entry)
    assert.equal(fields.password, undefined)
    for (const scope of (fields.scope ?? '').split(' ').filter(Boolean))
      assert.ok(configured.has(scope), `token request scope ${scope} is configured`)
  }
}

describe('OA-12 least privilege: code flow only, the configured scopes only', () => {
  let system: System
  let emulator: EmulatorClient
  let app: AppInstance

  before(async () => {
    // Access tokens shorter than msal's 5-minute renewal offset: every send refreshes, so the journey has refresh grants.
    system = await startSystem({ ...SECURITY, emulator: { accessTokenLifetimeSeconds: 120 } })
    emulator = system.client
    app = await system.startApp()
  })
  after(() => system?.close())

  test('OA-12 a full journey (sign in, send twice with refreshes, sign out, sign in again): no ROPC, no implicit, the configured scopes exactly', async () => {
    const configured = new Set(app.config.scopes)
    assert.deepEqual([...configured].sort(), [
      'Mail.Send',
      'User.Read',
      'offline_access',
      'openid',
      'profile',
    ])
    const mark = await emulator.mark()
    const client = app.browser()
    const adele = system.user('adele')
    assert.equal((await client.signIn(adele)).status, 303)
    assert.equal((await client.postSend({ to: adele.userPrincipalName })).status, 303)
    assert.equal(
      (await client.postSend({ to: adele.userPrincipalName, subject: 'Again' })).status,
      303,
    )
    const { csrf } = await client.formTokens()
    const out = await client.post(`${app.url}/disconnect`, { _csrf: csrf })
    assert.equal(out.status, 303)
    assert.equal((await client.signIn(adele)).status, 303)

    const journal = await emulator.journal({ since: mark })
    const authorizes = journal.filter((entry) => /\/oauth2\/(v2\.0\/)?authorize$/.test(entry.path))
    const tokens = journal.filter((entry) => /\/oauth2\/(v2\.0\/)?token$/.test(entry.path))
    assert.equal(authorizes.length, 2)
    for (const entry of authorizes) assertCodeFlowAuthorize(entry, configured)
    assertConfiguredGrants(tokens, configured)
    assert.equal(
      journal.filter((entry) => /devicecode|\/oauth2\/token$|\/oauth2\/authorize$/.test(entry.path))
        .length,
      0,
      'no device code, no v1 endpoints',
    )
    const raw = JSON.stringify(journal)
    assert.doesNotMatch(raw, /grant_type=password|"grant_type":"password"/)
    assert.doesNotMatch(raw, /response_type=(token|id_token)|"response_type":"(token|id_token)/)
  })
})
