/**
 * Conformance: @azure/identity's credentials against the emulator, configured as a user would: `authorityHost` set to
 * the emulator and `disableInstanceDiscovery: true`. Azure Identity refuses an http:// authority ("The authorityHost
 * address must use the 'https' protocol."), so the emulator serves TLS on https://localhost:<port> with a test CA that
 * this process trusts as NODE_EXTRA_CA_CERTS would make it.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  ClientCertificateCredential,
  ClientSecretCredential,
  DeviceCodeCredential,
  UsernamePasswordCredential,
  type TokenCredential,
} from '@azure/identity'
import { verifiedClaims } from '../kit/emulator-flows.ts'
import { clientLabel } from './kit/client-version.ts'
import { completeDeviceCode } from './kit/device-login.ts'
import { watchOutboundHosts } from './kit/loopback-watch.ts'
import { startTlsEmulator, type TlsEmulator } from './kit/tls-emulator.ts'

const CLIENT = clientLabel('@azure/identity')
const GRAPH_DEFAULT = 'https://graph.microsoft.com/.default'

describe(`${CLIENT} against the emulator (authorityHost https://localhost:<port>)`, () => {
  let tls: TlsEmulator
  const watch = watchOutboundHosts()
  before(async () => {
    tls = await startTlsEmulator({ deviceCodeIntervalSeconds: 1 })
  })
  after(async () => {
    watch.stop()
    const discovery = await tls.emulator.client.journal({ path: '/discovery/instance' })
    await tls.close()
    assert.deepEqual(watch.beyondLoopback(), [], 'no connection left loopback')
    assert.ok(watch.hosts.length > 0)
    assert.equal(discovery.length, 0, 'no instance discovery')
  })

  /** What every credential is given besides its secret: the emulator as authority, no instance discovery. */
  const options = () => ({ authorityHost: tls.url, disableInstanceDiscovery: true })

  /** GET /me (delegated) or /users/{upn} (app) with the credential's token, as a Graph SDK would call it. */
  async function graphAs(credential: TokenCredential, scope: string, path: string) {
    const token = await credential.getToken(scope)
    assert.ok(token, 'a token')
    const response = await fetch(`${tls.emulator.client.graphUrl()}${path}`, {
      headers: { authorization: `Bearer ${token.token}` },
    })
    assert.equal(response.status, 200, await response.clone().text())
    return { token, body: (await response.json()) as { userPrincipalName: string } }
  }

  test(`${CLIENT} ClientSecretCredential: client credentials, app token, then Graph`, async () => {
    const { demo } = tls.emulator
    const credential = new ClientSecretCredential(
      demo.tenantId,
      demo.clientId,
      demo.clientSecret,
      options(),
    )
    const lea = demo.users[1]!.userPrincipalName
    const { token, body } = await graphAs(credential, GRAPH_DEFAULT, `/users/${lea}`)
    assert.equal(body.userPrincipalName, lea)
    const claims = await verifiedClaims(tls.emulator, token.token)
    assert.equal(claims.idtyp, 'app')
    assert.equal(claims.appidacr, '1')
    assert.ok(token.expiresOnTimestamp > Date.now())
  })

  test(`${CLIENT} ClientCertificateCredential: the demo app's certificate (PEM), with and without x5c`, async () => {
    const { demo } = tls.emulator
    const certificate = demo.certificate.certificatePem + demo.certificate.privateKeyPem
    for (const sendCertificateChain of [false, true]) {
      const since = await tls.emulator.client.mark()
      const credential = new ClientCertificateCredential(
        demo.tenantId,
        demo.clientId,
        { certificate },
        { ...options(), sendCertificateChain },
      )
      const { token } = await graphAs(credential, GRAPH_DEFAULT, `/users/${demo.users[2]!.id}`)
      const claims = await verifiedClaims(tls.emulator, token.token)
      assert.equal(claims.idtyp, 'app')
      assert.equal(claims.appidacr, '2', 'private_key_jwt')
      const [post] = await tls.emulator.client.journal({ since, method: 'POST', path: '/token' })
      const form = post!.body as Record<string, string>
      assert.equal(
        form.client_assertion_type,
        'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      )
      const header = JSON.parse(
        Buffer.from(form.client_assertion!.split('.')[0]!, 'base64url').toString(),
      ) as { x5c?: unknown }
      assert.equal(header.x5c !== undefined, sendCertificateChain)
    }
  })

  test(`${CLIENT} DeviceCodeCredential: the code completed on the emulator's device-login page`, async () => {
    const { demo } = tls.emulator
    const diego = demo.users[3]!
    let completion: Promise<void> | undefined
    const credential = new DeviceCodeCredential({
      ...options(),
      tenantId: demo.tenantId,
      clientId: demo.clientId,
      userPromptCallback: (info) => {
        assert.match(info.message, new RegExp(info.userCode))
        completion = completeDeviceCode(info.verificationUri, info.userCode, diego)
      },
    })
    const { body } = await graphAs(credential, 'User.Read', '/me')
    await completion
    assert.equal(body.userPrincipalName, diego.userPrincipalName)
    const again = await credential.getToken('User.Read')
    assert.ok(
      again,
      'the second getToken is answered from the cache or a refresh, with no new code',
    )
  })

  test(`${CLIENT} UsernamePasswordCredential: ROPC once the user has consented`, async () => {
    const { demo } = tls.emulator
    const nestor = demo.users[4]!
    await tls.emulator.client.grantConsent({
      user: nestor.userPrincipalName,
      clientId: demo.clientId,
      scope: 'User.Read',
    })
    const credential = new UsernamePasswordCredential(
      demo.tenantId,
      demo.clientId,
      nestor.userPrincipalName,
      nestor.password,
      options(),
    )
    const { body } = await graphAs(credential, 'User.Read', '/me')
    assert.equal(body.userPrincipalName, nestor.userPrincipalName)
    const wrong = new UsernamePasswordCredential(
      demo.tenantId,
      demo.clientId,
      nestor.userPrincipalName,
      'wrong',
      options(),
    )
    await assert.rejects(wrong.getToken('User.Read'), /AADSTS50126/)
  })
})
