/**
 * Conformance: MSAL Python from Debian's python3-msal, driven by test/conformance/python/msal_flows.py, against the
 * emulator as a user configures it: `authority="https://localhost:<port>/<tenant>"`, `validate_authority=False` (no
 * instance discovery) and `REQUESTS_CA_BUNDLE` for the test CA (MSAL Python takes only https:// authorities).
 * Confidential flows (client credentials with a secret and a certificate, auth code, silent, refresh, the serialized
 * cache) and public ones (device code, ROPC). The person's steps (sign-in pages, device code) are done over HTTP here.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { after, before, describe, test } from 'node:test'
import { Browser } from '../kit/browser.ts'
import { verifiedClaims } from '../kit/emulator-flows.ts'
import { completeDeviceCode } from './kit/device-login.ts'
import { PYTHON, pythonMsalVersion } from './kit/python-msal.ts'
import { PythonDriver, type FlowResult, type PythonEvent } from './kit/python-driver.ts'
import { startTlsEmulator, type TlsEmulator } from './kit/tls-emulator.ts'

const SCRIPT = fileURLToPath(new URL('./python/msal_flows.py', import.meta.url))
const CLIENT = `msal (Python)@${pythonMsalVersion() || 'missing: apt-get install python3-msal'}`
const ROPC_TODO =
  'MSAL Python 1.21 sends ROPC’s user-realm discovery to https://<authority host>/common/userrealm/… without the ' +
  'authority’s port (authority.py), so ROPC needs the emulator on port 443; a client limitation, not the emulator’s'

let tls: TlsEmulator
let python: PythonDriver
before(async () => {
  tls = await startTlsEmulator({ deviceCodeIntervalSeconds: 1 })
  const { demo } = tls.emulator
  python = await PythonDriver.start(PYTHON, SCRIPT, {
    REQUESTS_CA_BUNDLE: tls.caFile,
    CONFORMANCE_CONFIG: JSON.stringify({
      authority: tls.emulator.client.authorityUrl(demo.tenantId),
      graph: tls.emulator.client.graphUrl(),
      clientId: demo.clientId,
      clientSecret: demo.clientSecret,
      certificate: demo.certificate,
      redirectUri: 'http://localhost',
      users: demo.users,
    }),
  })
})
after(async () => {
  const { hosts } = (await python.run('resolved_hosts')) as { hosts: string[] }
  await python.close()
  await tls.close()
  assert.deepEqual(hosts, ['localhost'], 'MSAL Python looked up no name but the emulator’s')
})

/** The events a flow raises: sign in at the emulator's pages, or complete a device code, as the person would. */
async function person(event: PythonEvent): Promise<unknown> {
  const user = tls.emulator.demo.users[event.user as number]!
  if (event.kind === 'authorize') {
    const landing = await new Browser().signInAtEmulator(event.url as string, user)
    assert.equal(landing.status, 302, landing.body.slice(0, 500))
    return { query: Object.fromEntries(new URL(landing.location!).searchParams) }
  }
  await completeDeviceCode(event.verificationUri as string, event.userCode as string, user)
  return {}
}

const run = (flow: string) => python.run(flow, person)
const token = (result: FlowResult) => {
  assert.equal(typeof result.accessToken, 'string', JSON.stringify(result))
  return result.accessToken as string
}

describe(`${CLIENT} against the emulator (authority https://localhost:<port>/<tenant>, validate_authority=False)`, () => {
  test(`${CLIENT} ConfidentialClientApplication: client credentials with the secret, then Graph`, async () => {
    const result = await run('client_credentials_secret')
    const claims = await verifiedClaims(tls.emulator, token(result))
    assert.equal(claims.idtyp, 'app')
    assert.equal(claims.appidacr, '1')
    const answer = result.graph as { status: number; body: { userPrincipalName: string } }
    assert.equal(answer.status, 200)
    assert.equal(answer.body.userPrincipalName, tls.emulator.demo.users[1]!.userPrincipalName)
  })

  test(`${CLIENT} client credentials with the certificate (private_key_jwt, x5c)`, async () => {
    const since = await tls.emulator.client.mark()
    const claims = await verifiedClaims(
      tls.emulator,
      token(await run('client_credentials_certificate')),
    )
    assert.equal(claims.appidacr, '2')
    const [post] = await tls.emulator.client.journal({ since, method: 'POST', path: '/token' })
    const assertion = (post!.body as Record<string, string>).client_assertion!
    const header = JSON.parse(Buffer.from(assertion.split('.')[0]!, 'base64url').toString())
    assert.ok(header.x5c, 'public_certificate sent as x5c')
  })

  test(`${CLIENT} auth code flow (initiate_auth_code_flow: PKCE, state, nonce) through the sign-in pages`, async () => {
    const result = await run('auth_code')
    const claims = await verifiedClaims(tls.emulator, token(result))
    const adele = tls.emulator.demo.users[0]!
    assert.equal(claims.upn, adele.userPrincipalName)
    assert.equal(result.hasRefreshToken, true)
    const idToken = result.idTokenClaims as { nonce?: string; preferred_username?: string }
    assert.equal(idToken.preferred_username, adele.userPrincipalName)
    // MSAL Python sends sha256(nonce) as the nonce and expects it back in the id_token.
    const sent = createHash('sha256').update(String(result.nonce)).digest('hex')
    assert.equal(idToken.nonce, sent)
    assert.equal((result.me as { status: number }).status, 200)
    const [redeem] = await tls.emulator.client
      .journal({ method: 'POST', path: '/token' })
      .then((entries) =>
        entries.filter(
          (entry) => (entry.body as Record<string, string>).grant_type === 'authorization_code',
        ),
      )
    assert.ok((redeem!.body as Record<string, string>).code_verifier, 'PKCE verifier sent')
  })

  test(`${CLIENT} acquire_token_silent answers from the cache`, async () => {
    const result = await run('silent_from_cache')
    assert.deepEqual(result.accounts, [tls.emulator.demo.users[0]!.userPrincipalName])
    assert.equal(typeof result.accessToken, 'string', JSON.stringify(result))
  })

  test(`${CLIENT} acquire_token_silent(force_refresh=True) redeems the refresh token`, async () => {
    const since = await tls.emulator.client.mark()
    const result = await run('refresh')
    assert.notEqual(token(result), result.previous)
    const posts = await tls.emulator.client.journal({ since, method: 'POST', path: '/token' })
    assert.deepEqual(
      posts.map((entry) => [(entry.body as Record<string, string>).grant_type, entry.status]),
      [['refresh_token', 200]],
    )
  })

  test(`${CLIENT} SerializableTokenCache: serialized, loaded in a new app, answers silently`, async () => {
    const result = await run('cache_round_trip')
    assert.deepEqual(result.accounts, [tls.emulator.demo.users[0]!.userPrincipalName])
    assert.ok(token(result))
    for (const section of ['AccessToken', 'Account', 'IdToken', 'RefreshToken'])
      assert.ok((result.sections as string[]).includes(section), section)
  })

  test(`${CLIENT} a delegated token sends mail through Graph`, async () => {
    const result = (await run('send_mail')) as { status: number }
    assert.equal(result.status, 202)
    const inbox = await tls.emulator.client.messages(tls.emulator.demo.users[2]!.userPrincipalName)
    assert.ok(inbox.some((message) => message.subject === 'From MSAL Python'))
  })

  test(`${CLIENT} PublicClientApplication: device flow completed on the device-login page`, async () => {
    const result = await run('device_code')
    const claims = await verifiedClaims(tls.emulator, token(result))
    assert.equal(claims.upn, tls.emulator.demo.users[3]!.userPrincipalName)
    assert.equal((result.me as { status: number }).status, 200)
  })

  test(
    `${CLIENT} ROPC: acquire_token_by_username_password once consented; a wrong password is AADSTS50126`,
    { todo: ROPC_TODO },
    async () => {
      const nestor = tls.emulator.demo.users[4]!
      await tls.emulator.client.grantConsent({
        user: nestor.userPrincipalName,
        clientId: tls.emulator.demo.clientId,
        scope: 'User.Read',
      })
      const claims = await verifiedClaims(tls.emulator, token(await run('ropc')))
      assert.equal(claims.upn, nestor.userPrincipalName)
      const wrong = await run('ropc_wrong_password')
      assert.equal(wrong.error, 'invalid_grant')
      assert.deepEqual(wrong.error_codes, [50126])
    },
  )

  test(`${CLIENT} remove_account empties the public app's accounts`, async () => {
    assert.deepEqual(await run('remove_account'), { accounts: [] })
  })

  test(`${CLIENT} an app token lists the directory (GET /users)`, async () => {
    const result = (await run('list_users')) as { status: number; body: { value?: unknown[] } }
    assert.equal(result.status, 200, JSON.stringify(result.body))
    assert.equal(result.body.value?.length, tls.emulator.demo.users.length)
  })
})
