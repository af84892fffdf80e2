/** EmulatorClient: URL helpers, in process and over HTTP, minted tokens, directory changes, typed errors. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import { buildEmulator, type Emulator } from './app.ts'
import { EmulatorClient, EmulatorControlError } from './client.ts'

/** The control API's status and code for a call that must fail. */
async function refusal(attempt: Promise<unknown>): Promise<{ status: number; code: string }> {
  try {
    await attempt
  } catch (error) {
    assert.ok(error instanceof EmulatorControlError, String(error))
    return { status: error.status, code: error.code }
  }
  return assert.fail('expected the control API to refuse')
}

describe('EmulatorClient', () => {
  let emulator: Emulator
  let client: EmulatorClient
  before(async () => {
    emulator = await buildEmulator({ logger: false, throttling: false })
    await emulator.listen({ port: 0, host: '127.0.0.1' })
    client = new EmulatorClient(`${emulator.url}/`)
  })
  after(() => emulator.close())

  it('names the endpoints the discovery document lists', async () => {
    const { tenantId } = emulator.demo
    assert.equal(client.url, emulator.url)
    assert.equal(client.authorityUrl(tenantId), `${emulator.url}/${tenantId}`)
    const metadata = (await (await fetch(client.discoveryUrl(tenantId))).json()) as Record<
      string,
      string
    >
    assert.equal(metadata.issuer, client.issuerUrl(tenantId))
    assert.equal(metadata.authorization_endpoint, client.authorizeUrl(tenantId))
    assert.equal(metadata.token_endpoint, client.tokenUrl(tenantId))
    assert.equal(metadata.device_authorization_endpoint, client.deviceCodeUrl(tenantId))
    assert.equal(metadata.jwks_uri, client.jwksUrl(tenantId))
    assert.equal(metadata.end_session_endpoint, client.logoutUrl(tenantId))
    assert.equal(
      client.authorizeUrl('common', { client_id: 'x', scope: 'a b' }),
      `${emulator.url}/common/oauth2/v2.0/authorize?client_id=x&scope=a+b`,
    )
    assert.equal(client.graphUrl(), `${emulator.url}/v1.0`)
    assert.equal(client.graphUrl('beta'), `${emulator.url}/beta`)
    assert.equal(client.inboxUrl(), `${emulator.url}/`)
    assert.equal(
      client.inboxUrl('lea@contoso.test'),
      `${emulator.url}/inbox/lea%40contoso.test/inbox`,
    )
    assert.equal((await fetch(client.inboxUrl('lea@contoso.test', 'sentitems'))).status, 200)
  })

  it('answers in process before listen, and follows the URL once listening', async () => {
    const local = await buildEmulator({ logger: false })
    try {
      const before = local.client
      assert.deepEqual(await before.demo(), local.demo)
      assert.equal(await before.mark(), 0)
      const url = await local.listen({ port: 0, host: '127.0.0.1' })
      assert.equal(local.client, before, 'one client for the emulator’s life')
      assert.equal(before.url, url, 'a client taken before listen() follows the URL')
      assert.equal(before.tokenUrl('common'), `${url}/common/oauth2/v2.0/token`)
      assert.deepEqual(await new EmulatorClient(url).demo(), local.demo)
    } finally {
      await local.close()
    }
  })

  it('issues access tokens Graph accepts: delegated, app-only, expired; signed with the published key', async () => {
    const { tenantId } = emulator.demo
    const me = async (token: string, path = '/me') =>
      fetch(`${client.graphUrl()}${path}`, { headers: { authorization: `Bearer ${token}` } })
    const adele = await client.issueToken()
    const profile = await me(adele)
    assert.equal(profile.status, 200)
    assert.equal(((await profile.json()) as { mail: string }).mail, 'adele@contoso.test')
    const { payload } = await jwtVerify(
      adele,
      createRemoteJWKSet(new URL(client.jwksUrl(tenantId))),
    )
    assert.equal(payload.iss, `${emulator.url}/${tenantId}/`)
    assert.equal(payload.scp, 'User.Read Mail.Send Mail.ReadWrite')
    const lea = await client.issueToken({ user: 'lea@contoso.test', scp: 'User.Read' })
    assert.equal((await me(lea)).status, 200)
    assert.equal((await me(lea, '/me/messages')).status, 403, 'scopes are the ones asked for')
    const app = await client.issueToken({ roles: ['User.Read.All'] })
    assert.equal((await me(app, '/users/megan@contoso.test')).status, 200)
    assert.equal((await me(app)).status, 400, '/me needs a delegated token')
    assert.equal((await me(await client.issueToken({ expiresIn: -60 }))).status, 401)
    assert.deepEqual(await refusal(client.issueToken({ user: 'nobody@contoso.test' })), {
      status: 404,
      code: 'UserNotFound',
    })
    assert.deepEqual(await refusal(client.issueToken({ roles: 'Mail.Send' as never })), {
      status: 400,
      code: 'InvalidTokenShape',
    })
  })

  it('changes the directory: users, apps, redirect URIs, consents; refusals carry their code', async () => {
    const user = await client.addUser({
      userPrincipalName: 'zoe@contoso.test',
      password: 'Zoe.Demo1',
      displayName: 'Zoé Durand',
    })
    assert.equal(user.displayName, 'Zoé Durand')
    assert.equal((user as { password?: string }).password, undefined)
    const clientId = crypto.randomUUID()
    const app = await client.addApp({
      clientId,
      secrets: [{ id: 's', value: 'app-secret', expiresAt: '2099-01-01T00:00:00Z' }],
    })
    assert.equal(app.clientId, clientId)
    assert.deepEqual(await client.addRedirectUri(clientId, 'http://localhost:9999/cb'), [
      'http://localhost:9999/cb',
    ])
    const ropc = () =>
      fetch(client.tokenUrl(emulator.demo.tenantId), {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'password',
          client_id: clientId,
          client_secret: 'app-secret',
          username: 'zoe@contoso.test',
          password: 'Zoe.Demo1',
          scope: 'User.Read',
        }),
      })
    assert.equal((await ropc()).status, 400, 'no consent yet')
    await client.grantConsent({ user: 'zoe@contoso.test', clientId, scope: 'User.Read' })
    assert.equal((await ropc()).status, 200)
    assert.deepEqual(await refusal(client.addRedirectUri(crypto.randomUUID(), 'http://x.test/')), {
      status: 404,
      code: 'AppNotFound',
    })
    assert.deepEqual(
      await refusal(client.addUser({ userPrincipalName: 'x@contoso.test' } as never)),
      { status: 400, code: 'InvalidUser' },
    )
    assert.deepEqual(await refusal(client.revokeRefreshTokens({ user: 'nobody' })), {
      status: 404,
      code: 'UserNotFound',
    })
    assert.deepEqual(await refusal(client.shapeNextIdToken({ aud: 42 as never })), {
      status: 400,
      code: 'InvalidTokenShape',
    })
  })

  it('filters the journal by path on the client: a substring or a RegExp', async () => {
    const mark = await client.mark()
    await fetch(client.discoveryUrl())
    await fetch(client.jwksUrl())
    const paths = (entries: { path: string }[]) => entries.map((entry) => entry.path)
    assert.deepEqual(paths(await client.journal({ since: mark, path: 'well-known' })), [
      '/common/v2.0/.well-known/openid-configuration',
    ])
    assert.deepEqual(paths(await client.journal({ since: mark, path: /\/keys$/ })), [
      '/common/discovery/v2.0/keys',
    ])
    assert.equal((await client.journal({ since: mark, method: 'POST' })).length, 0)
  })

  it('reports an answer that is not the control API as Http<status>', async () => {
    const astray = new EmulatorClient(`${emulator.url}/not-the-emulator`)
    assert.deepEqual(await refusal(astray.mark()), { status: 404, code: 'Http404' })
  })
})
