/**
 * Conformance: unmodified @azure/msal-node against the emulator over plain HTTP, configured as the app configures it: an
 * https:// authority label on localhost, `knownAuthorities` and `authorityMetadata` (the emulator's discovery document,
 * whose endpoints are http://), so msal does no discovery and needs no TLS (test/kit/msal-setup.ts).
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Browser } from '../kit/browser.ts'
import { verifiedClaims } from '../kit/emulator-flows.ts'
import { confidentialClient, pkcePair, publicClient, startEmulator } from '../kit/msal-setup.ts'
import { clientLabel } from './kit/client-version.ts'
import { watchOutboundHosts } from './kit/loopback-watch.ts'

const CLIENT = clientLabel('@azure/msal-node')
const SCOPES = ['User.Read', 'Mail.Send']
/** msal's ServerError carries errorNo; InteractionRequiredAuthError only the message. */
const hasCode = (error: Error & { errorNo?: string }, code: number) =>
  String(error.errorNo) === String(code) || error.message.includes(`AADSTS${code}:`)

const watch = watchOutboundHosts()
after(() => {
  watch.stop()
  assert.deepEqual(
    watch.beyondLoopback(),
    [],
    'no connection left loopback (no instance discovery)',
  )
})

describe(`${CLIENT} against the emulator (authority label + authorityMetadata)`, () => {
  let setup: Awaited<ReturnType<typeof startEmulator>>
  before(async () => {
    setup = await startEmulator({ deviceCodeIntervalSeconds: 1 })
  })
  after(() => setup.emulator.close())

  async function codeFlow(
    cca: ReturnType<typeof confidentialClient>,
    user = setup.emulator.demo.users[0]!,
  ) {
    const { demo, url } = setup.emulator
    const redirectUri = demo.redirectUris[0]!
    const pkce = pkcePair()
    const state = 'state with spaces & ünïcode/+=?'
    const nonce = crypto.randomUUID()
    const authUrl = await cca.getAuthCodeUrl({
      scopes: SCOPES,
      redirectUri,
      state,
      nonce,
      codeChallenge: pkce.challenge,
      codeChallengeMethod: 'S256',
    })
    assert.ok(authUrl.startsWith(`${url}/${demo.tenantId}/oauth2/v2.0/authorize?`), authUrl)
    const browser = new Browser()
    const landing = await browser.signInAtEmulator(authUrl, user)
    assert.equal(landing.status, 302)
    const back = new URL(landing.location!)
    assert.equal(`${back.origin}${back.pathname}`, redirectUri)
    assert.equal(back.searchParams.get('state'), state, 'state echoed byte-exact')
    assert.ok(back.searchParams.get('client_info') && back.searchParams.get('session_state'))
    const result = await cca.acquireTokenByCode(
      {
        code: back.searchParams.get('code')!,
        scopes: SCOPES,
        redirectUri,
        codeVerifier: pkce.verifier,
        state,
        nonce,
      },
      { code: back.searchParams.get('code')!, state: back.searchParams.get('state')! },
    )
    return { result, nonce, browser, authUrl, redirectUri }
  }

  test(`${CLIENT} auth code + PKCE S256 + state + nonce, then acquireTokenSilent from the cache`, async () => {
    const cca = confidentialClient(setup)
    const { result, nonce } = await codeFlow(cca)
    const adele = setup.emulator.demo.users[0]!
    assert.equal(result.account?.username, adele.userPrincipalName)
    assert.equal(result.account?.homeAccountId, `${adele.id}.${setup.emulator.demo.tenantId}`)
    assert.equal(result.idTokenClaims && (result.idTokenClaims as { nonce?: string }).nonce, nonce)
    assert.deepEqual(result.scopes.sort(), ['Mail.Send', 'User.Read', 'openid', 'profile'].sort())
    const claims = await verifiedClaims(setup.emulator, result.accessToken)
    assert.equal(claims.aud, '00000003-0000-0000-c000-000000000000')
    assert.equal(claims.idtyp, 'user')
    assert.equal(claims.upn, adele.userPrincipalName)
    assert.match(claims.scp ?? '', /\bMail\.Send\b/)
    const silent = await cca.acquireTokenSilent({ account: result.account!, scopes: SCOPES })
    assert.equal(silent.fromCache, true)
    assert.equal(silent.accessToken, result.accessToken)
  })

  test(`${CLIENT} a second authorize in the same browser skips the password (SSO cookie)`, async () => {
    const cca = confidentialClient(setup)
    const { browser, authUrl } = await codeFlow(cca, setup.emulator.demo.users[2]!)
    const again = await browser.open(authUrl)
    assert.equal(again.status, 302)
    assert.ok(new URL(again.location!).searchParams.get('code'))
  })

  test(`${CLIENT} client credentials with the secret and with the certificate (private_key_jwt)`, async () => {
    for (const credential of ['secret', 'certificate'] as const) {
      const result = await confidentialClient(setup, credential).acquireTokenByClientCredential({
        scopes: ['https://graph.microsoft.com/.default'],
      })
      const claims = await verifiedClaims(setup.emulator, result!.accessToken)
      assert.equal(claims.idtyp, 'app')
      assert.equal(claims.aud, 'https://graph.microsoft.com')
      assert.ok(claims.roles?.includes('Mail.Send'))
      assert.equal(claims.appidacr, credential === 'secret' ? '1' : '2')
      assert.equal(claims.scp, undefined)
    }
  })

  test(`${CLIENT} device code: PublicClientApplication polls while the code is completed on the verification page`, async () => {
    const pca = publicClient(setup)
    const diego = setup.emulator.demo.users[3]!
    let completion: Promise<unknown> | undefined
    const result = await pca.acquireTokenByDeviceCode({
      scopes: ['User.Read'],
      deviceCodeCallback: (response) => {
        assert.equal(typeof response.expiresIn, 'number')
        completion = (async () => {
          const browser = new Browser()
          const entry = await browser.open(response.verificationUri)
          const confirm = await browser.submit(entry, { otc: response.userCode })
          assert.match(browser.heading(confirm), /Are you trying to sign in/)
          const email = await browser.submit(confirm, { device: 'continue' })
          const password = await browser.submit(email, { loginfmt: diego.userPrincipalName })
          const kmsi = await browser.submit(password, { passwd: diego.password })
          const consent = await browser.submit(kmsi, { kmsi: 'no' })
          const done = await browser.submit(consent, { consent: 'accept' })
          assert.match(done.body, /You may now close this window/)
        })()
      },
    })
    await completion
    assert.equal(result?.account?.username, diego.userPrincipalName)
  })

  test(`${CLIENT} ROPC: acquireTokenByUsernamePassword once the user has consented`, async () => {
    const pca = publicClient(setup)
    const nestor = setup.emulator.demo.users[4]!
    await assert.rejects(
      pca.acquireTokenByUsernamePassword({
        scopes: ['User.Read'],
        username: nestor.userPrincipalName,
        password: nestor.password,
      }),
      (error: Error) => hasCode(error, 65001),
    )
    await setup.emulator.client.grantConsent({
      user: nestor.userPrincipalName,
      clientId: setup.emulator.demo.clientId,
      scope: 'User.Read',
    })
    const result = await pca.acquireTokenByUsernamePassword({
      scopes: ['User.Read'],
      username: nestor.userPrincipalName,
      password: nestor.password,
    })
    assert.equal(result?.account?.username, nestor.userPrincipalName)
    await assert.rejects(
      pca.acquireTokenByUsernamePassword({
        scopes: ['User.Read'],
        username: nestor.userPrincipalName,
        password: 'wrong',
      }),
      (error: Error & { errorCode?: string }) =>
        error.errorCode === 'invalid_grant' && hasCode(error, 50126),
    )
  })
})

describe(`${CLIENT} refresh (accessTokenLifetimeSeconds ≤ 300)`, () => {
  test(`${CLIENT} acquireTokenSilent refreshes when the cached token is within 5 minutes of expiry`, async () => {
    const setup = await startEmulator({ accessTokenLifetimeSeconds: 120 })
    try {
      const cca = confidentialClient(setup)
      const { demo } = setup.emulator
      const redirectUri = demo.redirectUris[1]!
      const authUrl = await cca.getAuthCodeUrl({
        scopes: SCOPES,
        redirectUri,
        state: 's',
        nonce: 'n',
      })
      const landing = await new Browser().signInAtEmulator(authUrl, demo.users[1]!)
      const code = new URL(landing.location!).searchParams.get('code')!
      const first = await cca.acquireTokenByCode({ code, scopes: SCOPES, redirectUri, nonce: 'n' })
      const silent = await cca.acquireTokenSilent({ account: first.account!, scopes: SCOPES })
      assert.equal(silent.fromCache, false)
      assert.notEqual(silent.accessToken, first.accessToken)
      assert.equal(silent.account?.homeAccountId, first.account?.homeAccountId)
      await setup.emulator.client.revokeRefreshTokens({ all: true })
      await assert.rejects(
        cca.acquireTokenSilent({ account: first.account!, scopes: SCOPES }),
        (error: Error) => hasCode(error, 50173),
      )
    } finally {
      await setup.emulator.close()
    }
  })
})
