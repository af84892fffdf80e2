/**
 * RE-05, black-box: near expiry, N concurrent sends cause one refresh_token grant; invalid_grant (AADSTS700082) gives
 * one redirect to sign in, with the form kept; a token endpoint answering 5xx/429 gives 503 "try later" and the user
 * stays signed in.
 */
import { after, before, beforeEach, test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import type { DemoUser, EmulatorClient } from '../../src/emulator/index.ts'
import type { Browser } from '../kit/browser.ts'
import { oauthError, TOKEN_ENDPOINT } from '../kit/faults.ts'
import { sendMails, tokenRequests } from '../kit/journal.ts'
import { RELIABILITY, startSystem, type AppInstance, type System } from '../kit/system.ts'

let system: System
let emulator: EmulatorClient
let app: AppInstance
let adele: DemoUser
let megan: DemoUser

before(async () => {
  // 200 s is inside msal's 5-minute renewal window: every silent acquisition refreshes.
  system = await startSystem({ ...RELIABILITY, emulator: { accessTokenLifetimeSeconds: 200 } })
  emulator = system.client
  app = await system.startApp({
    env: { GRAPH_TIMEOUT_MS: '2000', GRAPH_RETRY_BUDGET_MS: '3000' },
  })
  adele = system.user('adele')
  megan = system.user('megan')
})

after(() => system?.close())

beforeEach(() => emulator.clearFaults())

async function signedIn(): Promise<Browser> {
  const client = app.browser()
  await client.signInHome(adele)
  return client
}

async function refreshGrants(since: number) {
  const posts = await tokenRequests(emulator, since)
  return posts.filter(
    (entry) => (entry.body as { grant_type?: string } | null)?.grant_type === 'refresh_token',
  )
}

test('RE-05 ten concurrent sends near expiry → exactly one refresh_token grant, ten sendMail with the new token', async () => {
  const client = await signedIn()
  const forms = []
  for (let i = 0; i < 10; i++)
    forms.push(
      await client.sendFields({
        to: megan.userPrincipalName,
        subject: `RE-05 concurrent ${i}`,
        body: 'x',
      }),
    )
  const mark = await emulator.mark()
  // The refresh takes 1 s, so all ten requests arrive while it is in flight.
  await emulator.addFault({ match: TOKEN_ENDPOINT, action: { delayMs: 1000 } })
  const responses = await Promise.all(forms.map((fields) => client.post('/send', fields)))
  assert.deepEqual(
    responses.map((response) => response.status),
    Array(10).fill(303),
  )
  assert.equal((await refreshGrants(mark)).length, 1, 'one refresh for ten concurrent sends')
  const sends = await sendMails(emulator, mark)
  assert.equal(sends.length, 10)
  assert.equal(
    new Set(sends.map((entry) => entry.headers.authorization)).size,
    1,
    'all ten bear the one refreshed token',
  )
  const home = await client.home()
  assert.ok(home.signedIn)
})

for (const how of [
  'refresh token expired (control API)',
  'scripted invalid_grant AADSTS700082',
] as const) {
  test(`RE-05 invalid_grant (${how}) → one redirect to sign in, no sendMail, the form kept for after`, async () => {
    const client = await signedIn()
    const fields = await client.sendFields({
      to: megan.userPrincipalName,
      subject: 'RE-05 kept subject',
      body: 'kept body',
    })
    if (how === 'refresh token expired (control API)') {
      const revoked = await emulator.revokeRefreshTokens({
        user: adele.userPrincipalName,
        expire: true,
      })
      assert.ok(revoked >= 1)
    } else {
      const body = oauthError(
        'invalid_grant',
        700082,
        'The refresh token has expired due to inactivity.',
      )
      await emulator.addFault({
        match: TOKEN_ENDPOINT,
        action: { status: 400, body },
      })
    }
    const mark = await emulator.mark()
    const response = await client.post('/send', fields)
    assert.equal(response.status, 303)
    assert.equal(response.headers.get('location'), '/connect', 'one redirect to sign in')
    assert.equal((await refreshGrants(mark)).length, 1)
    assert.equal((await sendMails(emulator, mark)).length, 0)
    const connect = await client.get('/connect')
    assert.equal(connect.status, 302, 'the redirect leads to the sign-in page')
    // No loop: the user abandons the sign-in; the home page is the Connect page, not another redirect.
    const home = await client.get('/')
    assert.equal(home.status, 200)
    assert.match(home.body, /Connect to Microsoft 365/)
    assert.equal((await sendMails(emulator, mark)).length, 0)
    // Signing in again gives the typed form back.
    const after = await client.signInHome(adele)
    assert.equal(after.form.subject, 'RE-05 kept subject')
    assert.equal(after.form.body, 'kept body')
  })
}

for (const status of [503, 500, 429]) {
  test(`RE-05 token endpoint ${status} → 503 "try later" with Retry-After, no sendMail, still signed in`, async () => {
    const client = await signedIn()
    await emulator.addFault({
      match: TOKEN_ENDPOINT,
      action: { status, retryAfter: 2 },
    })
    const mark = await emulator.mark()
    const fields = await client.sendFields({
      to: megan.userPrincipalName,
      subject: `RE-05 token ${status}`,
      body: 'typed',
    })
    const response = await client.post('/send', fields)
    assert.equal(response.status, 503, `answered ${response.status} → ${response.location}`)
    assert.ok(Number(response.headers.get('retry-after')) >= 1)
    assert.match(response.body, /try again/i)
    assert.match(response.body, /still signed in/i)
    assert.match(response.body, /RE-05 token \d+/, 'the form is kept as typed')
    assert.equal((await sendMails(emulator, mark)).length, 0)
    // A second send within Retry-After makes no token request and still answers 503.
    const second = await client.post(
      '/send',
      await client.sendFields({ to: megan.userPrincipalName, subject: 'again', body: 'x' }),
    )
    assert.equal(second.status, 503)
    assert.equal(
      (await refreshGrants(mark)).length,
      1,
      'no token request while the endpoint said to wait',
    )
    const home = await client.home()
    assert.ok(home.signedIn, 'not signed out')
    await sleep(2100)
    const later = await client.sendFromPage({
      to: megan.userPrincipalName,
      subject: `RE-05 later ${status}`,
      body: 'x',
    })
    assert.equal(later.page.banner?.kind, 'success', later.page.banner?.text)
  })
}
