/**
 * Real-hostname mode (protocol-spec §1 "R"), in process: the emulator over TLS with a fresh test CA on 127.0.0.1:<port0>;
 * unmodified msal-node with authority https://login.microsoftonline.com/<tid> (no knownAuthorities, no metadata) and
 * plain fetch to https://graph.microsoft.com reach it through Node's global dispatcher, which maps both names to loopback.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import * as msal from '@azure/msal-node'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import { getGlobalDispatcher, setGlobalDispatcher, type Dispatcher } from 'undici'
import { buildEmulator, type Emulator } from '../app.ts'
import { Browser } from '../../../test/kit/browser.ts'
import { pkcePair } from '../../../test/kit/msal-setup.ts'
import { loopbackDispatcher } from './loopback-dispatcher.ts'
import { makeTestCa, writeTestCa } from './make-test-ca.ts'

const LOGIN = 'https://login.microsoftonline.com'
const GRAPH = 'https://graph.microsoft.com'
const SCOPES = ['User.Read', 'Mail.Send']

describe('real-hostname mode: login.microsoftonline.com and graph.microsoft.com on one TLS port', () => {
  let emulator: Emulator
  let previous: Dispatcher
  const lookups: { hostname: string; address: string }[] = []
  const dir = mkdtempSync(join(tmpdir(), 'emulator-tls-'))
  const files = writeTestCa(dir)
  before(async () => {
    emulator = await buildEmulator({
      logger: false,
      tls: { cert: readFileSync(files.cert), key: readFileSync(files.key) },
    })
    await emulator.listen({ port: 0, host: '127.0.0.1' })
    previous = getGlobalDispatcher()
    setGlobalDispatcher(
      loopbackDispatcher({
        port: Number(new URL(emulator.url).port),
        ca: readFileSync(files.ca, 'utf8'),
        lookups,
      }),
    )
  })
  after(async () => {
    setGlobalDispatcher(previous)
    await emulator.close()
    rmSync(dir, { recursive: true, force: true })
    // Zero traffic left loopback: only the two names were ever resolved, and only to 127.0.0.1.
    assert.ok(lookups.length > 0)
    assert.deepEqual(
      new Set(lookups.map((entry) => entry.hostname)),
      new Set(['login.microsoftonline.com', 'graph.microsoft.com']),
    )
    assert.ok(lookups.every((entry) => entry.address === '127.0.0.1'))
  })

  const client = () =>
    new msal.ConfidentialClientApplication({
      auth: {
        clientId: emulator.demo.clientId,
        clientSecret: emulator.demo.clientSecret,
        authority: `${LOGIN}/${emulator.demo.tenantId}`,
      },
    })

  test('listens over HTTPS; discovery documents carry the real names, UserInfo on graph.microsoft.com', async () => {
    assert.match(emulator.url, /^https:\/\/127\.0\.0\.1:\d+$/)
    const { demo } = emulator
    const config = (await (
      await fetch(`${LOGIN}/${demo.tenantId}/v2.0/.well-known/openid-configuration`)
    ).json()) as Record<string, string>
    assert.equal(config.issuer, `${LOGIN}/${demo.tenantId}/v2.0`)
    assert.equal(config.token_endpoint, `${LOGIN}/${demo.tenantId}/oauth2/v2.0/token`)
    assert.equal(config.jwks_uri, `${LOGIN}/${demo.tenantId}/discovery/v2.0/keys`)
    assert.equal(config.userinfo_endpoint, `${GRAPH}/oidc/userinfo`)
    assert.equal(config.msgraph_host, 'graph.microsoft.com')
    const token = await emulator.client.issueToken({ scp: 'openid profile User.Read' })
    const userinfo = await fetch(config.userinfo_endpoint, {
      headers: { authorization: `Bearer ${token}` },
    })
    assert.equal(
      ((await userinfo.json()) as { picture: string }).picture,
      `${GRAPH}/v1.0/me/photo/$value`,
    )
    const instance = await fetch(
      `${LOGIN}/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`${LOGIN}/common/oauth2/v2.0/authorize`)}`,
    )
    assert.equal(instance.status, 200)
    const body = (await instance.json()) as {
      tenant_discovery_endpoint: string
      metadata: { aliases: string[]; preferred_cache: string }[]
    }
    assert.equal(
      body.tenant_discovery_endpoint,
      `${LOGIN}/common/v2.0/.well-known/openid-configuration`,
    )
    assert.equal(
      body.metadata[0]!.preferred_cache,
      'login.windows.net',
      "Microsoft's own entry first, no self alias",
    )
    // The same emulator still answers on its loopback URL with loopback URLs.
    const local = await emulator.fastify.inject({
      url: `/${demo.tenantId}/v2.0/.well-known/openid-configuration`,
    })
    assert.equal(
      (local.json() as { issuer: string }).issuer,
      `${emulator.url}/${demo.tenantId}/v2.0`,
    )
  })

  test('routes by Host: Graph only on graph.microsoft.com, identity only on login.microsoftonline.com', async () => {
    const graphOnLogin = await fetch(`${LOGIN}/v1.0/me`)
    assert.equal(graphOnLogin.status, 404)
    assert.match(
      ((await graphOnLogin.json()) as { error: { message: string } }).error.message,
      /graph\.microsoft\.com/,
    )
    const identityOnGraph = await fetch(
      `${GRAPH}/${emulator.demo.tenantId}/v2.0/.well-known/openid-configuration`,
    )
    assert.equal(identityOnGraph.status, 404)
    await identityOnGraph.body?.cancel()
  })

  test('client credentials: msal-node with its built-in metadata calls only the token endpoint', async () => {
    const since = await emulator.client.mark()
    const result = await client().acquireTokenByClientCredential({ scopes: [`${GRAPH}/.default`] })
    assert.ok(result?.accessToken)
    const entries = await emulator.client.journal({ since })
    assert.deepEqual(
      entries.map((entry) => `${entry.method} ${entry.headers.host} ${entry.path}`),
      [`POST login.microsoftonline.com /${emulator.demo.tenantId}/oauth2/v2.0/token`],
    )
    const users = await fetch(`${GRAPH}/v1.0/users/${emulator.demo.users[1]!.userPrincipalName}`, {
      headers: { authorization: `Bearer ${result!.accessToken}` },
    })
    assert.equal(users.status, 200)
    assert.equal(
      ((await users.json()) as { userPrincipalName: string }).userPrincipalName,
      emulator.demo.users[1]!.userPrincipalName,
    )
  })

  test('auth code + PKCE through the sign-in pages, id_token verified against the JWKS on the real name, then /me and sendMail', async () => {
    const { demo } = emulator
    const cca = client()
    const redirectUri = demo.redirectUris[0]!
    const pkce = pkcePair()
    const state = crypto.randomUUID()
    const nonce = crypto.randomUUID()
    const authUrl = await cca.getAuthCodeUrl({
      scopes: SCOPES,
      redirectUri,
      state,
      nonce,
      codeChallenge: pkce.challenge,
      codeChallengeMethod: 'S256',
    })
    assert.ok(authUrl.startsWith(`${LOGIN}/${demo.tenantId}/oauth2/v2.0/authorize?`), authUrl)
    const browser = new Browser()
    const landing = await browser.signInAtEmulator(authUrl, demo.users[0]!)
    assert.equal(landing.status, 302)
    assert.ok(browser.cookie(LOGIN, 'ESTSAUTH') !== undefined, 'SSO cookie set on the login name')
    const back = new URL(landing.location!)
    assert.equal(back.searchParams.get('state'), state)
    const result = await cca.acquireTokenByCode(
      {
        code: back.searchParams.get('code')!,
        scopes: SCOPES,
        redirectUri,
        codeVerifier: pkce.verifier,
        state,
        nonce,
      },
      { code: back.searchParams.get('code')!, state },
    )
    assert.equal(result.account?.username, demo.users[0]!.userPrincipalName)
    assert.equal(
      result.account?.environment,
      'login.windows.net',
      "msal's cache alias for the real cloud",
    )

    const jwks = createRemoteJWKSet(new URL(`${LOGIN}/${demo.tenantId}/discovery/v2.0/keys`))
    const { payload } = await jwtVerify(result.idToken, jwks, {
      issuer: `${LOGIN}/${demo.tenantId}/v2.0`,
      audience: demo.clientId,
    })
    assert.equal(payload.nonce, nonce)

    const auth = { authorization: `Bearer ${result.accessToken}` }
    const me = await fetch(`${GRAPH}/v1.0/me`, { headers: auth })
    assert.equal(me.status, 200)
    const profile = (await me.json()) as { '@odata.context': string; mail: string }
    assert.equal(profile['@odata.context'], `${GRAPH}/v1.0/$metadata#users/$entity`)
    const to = demo.users[1]!.userPrincipalName
    const send = await fetch(`${GRAPH}/v1.0/me/sendMail`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        Message: {
          Subject: 'Over TLS on the real names',
          Body: { ContentType: 'Text', Content: 'hi' },
          ToRecipients: [{ EmailAddress: { Address: to } }],
        },
      }),
    })
    assert.equal(send.status, 202)
    const inbox = await emulator.client.messages(to, { folder: 'inbox' })
    assert.ok(inbox.some((message) => message.subject === 'Over TLS on the real names'))

    const silent = await cca.acquireTokenSilent({
      account: result.account!,
      scopes: SCOPES,
      forceRefresh: true,
    })
    assert.equal(silent.fromCache, false, 'refreshed at the real token endpoint')

    // A second sign-in in the same browser: prompt=none answers with a code straight away (SSO cookie, consent kept).
    const again = await cca.getAuthCodeUrl({ scopes: SCOPES, redirectUri, state, prompt: 'none' })
    const silentLanding = await browser.open(again)
    assert.equal(silentLanding.status, 302)
    assert.ok(new URL(silentLanding.location!).searchParams.get('code'), silentLanding.location)
  })

  test('the certificate is really checked, and names other than the two are refused before any connection', async () => {
    const strangerCa = makeTestCa().caPem
    const port = Number(new URL(emulator.url).port)
    const wrongTrust = loopbackDispatcher({ port, ca: strangerCa })
    await assert.rejects(
      fetch(`${LOGIN}/common/discovery/instance`, { dispatcher: wrongTrust } as RequestInit),
      (error: Error) =>
        /certificate|self.signed|verify/i.test(
          String((error.cause as Error | undefined)?.message ?? error.message),
        ),
    )
    await wrongTrust.close()
    await assert.rejects(fetch('https://example.com/'), (error: Error) =>
      /not mapped/.test(String((error.cause as Error | undefined)?.message)),
    )
  })

  // As a user runs an app: a separate Node process, trust from NODE_EXTRA_CA_CERTS, names mapped by a --import preload.
  const CHILD = `import * as msal from '@azure/msal-node'
    const { TENANT, CLIENT_ID, CLIENT_SECRET, UPN } = process.env
    const cca = new msal.ConfidentialClientApplication({ auth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, authority: 'https://login.microsoftonline.com/' + TENANT } })
    try {
      const { accessToken } = await cca.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] })
      const response = await fetch('https://graph.microsoft.com/v1.0/users/' + UPN, { headers: { authorization: 'Bearer ' + accessToken } })
      console.log(JSON.stringify({ status: response.status, upn: (await response.json()).userPrincipalName }))
    } catch (error) {
      const cause = await fetch('https://login.microsoftonline.com/common/discovery/instance').then(() => 'none', (failure) => failure.cause?.code)
      console.log(JSON.stringify({ error: error.errorCode, cause }))
    }`
  const runChild = async (extraCa: string | undefined) => {
    const { NODE_TEST_CONTEXT: _context, NODE_EXTRA_CA_CERTS: _ca, ...env } = process.env
    const { demo } = emulator
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        fileURLToPath(new URL('./loopback-preload.ts', import.meta.url)),
        '--input-type=module',
        '-e',
        CHILD,
      ],
      {
        env: {
          ...env,
          ...(extraCa ? { NODE_EXTRA_CA_CERTS: extraCa } : {}),
          EMULATOR_LOOPBACK_PORT: new URL(emulator.url).port,
          EMULATOR_LOOPBACK_STRICT: '1',
          TENANT: demo.tenantId,
          CLIENT_ID: demo.clientId,
          CLIENT_SECRET: demo.clientSecret,
          UPN: demo.users[2]!.userPrincipalName,
        },
        timeout: 30_000,
      },
    )
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      status?: number
      upn?: string
      error?: string
      cause?: string
    }
  }

  test('another Node process with NODE_EXTRA_CA_CERTS=ca.pem: client credentials, then Graph, on the real names', async () => {
    assert.deepEqual(await runChild(files.ca), {
      status: 200,
      upn: emulator.demo.users[2]!.userPrincipalName,
    })
  })

  test('the same process without NODE_EXTRA_CA_CERTS cannot reach it (the test CA is what it trusts)', async () => {
    const outcome = await runChild(undefined)
    assert.deepEqual(outcome, { error: 'network_error', cause: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' })
  })
})
