/**
 * Discovery documents, JWKS, instance discovery, the loopback-only control API, and bad input never giving a 500.
 */
import assert from 'node:assert/strict'
import { createHash, X509Certificate } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import fc from 'fast-check'
import { buildEmulator, type Emulator } from '../app.ts'

interface Jwk {
  kty: string
  use: string
  kid: string
  x5t: string
  n: string
  e: string
  x5c: string[]
  issuer: string
}

describe('discovery, control API and robustness', () => {
  let emulator: Emulator
  before(async () => {
    emulator = await buildEmulator({ logger: false, publicUrl: 'http://localhost:8001' })
  })
  after(() => emulator.close())
  const get = (url: string) => emulator.fastify.inject(url)

  test('v2 openid-configuration by GUID and by domain (case-insensitive) names the tenant GUID; common keeps {tenantid}', async () => {
    const { tenantId } = emulator.demo
    for (const segment of [tenantId, 'Contoso.Test']) {
      const response = await get(`/${segment}/v2.0/.well-known/openid-configuration`)
      assert.equal(response.statusCode, 200)
      assert.equal(response.headers['cache-control'], 'max-age=86400, private')
      assert.equal(response.headers['access-control-allow-origin'], '*')
      const body = response.json()
      assert.equal(body.issuer, `http://localhost:8001/${tenantId}/v2.0`)
      assert.equal(body.token_endpoint, `http://localhost:8001/${tenantId}/oauth2/v2.0/token`)
      assert.equal(
        body.end_session_endpoint,
        `http://localhost:8001/${tenantId}/oauth2/v2.0/logout`,
      )
      assert.deepEqual(body.response_modes_supported, ['query', 'fragment', 'form_post'])
    }
    const common = (await get('/common/v2.0/.well-known/openid-configuration')).json()
    assert.equal(common.issuer, 'http://localhost:8001/{tenantid}/v2.0')
    assert.equal(
      common.authorization_endpoint,
      'http://localhost:8001/common/oauth2/v2.0/authorize',
    )
    const v1 = (await get(`/${tenantId}/.well-known/openid-configuration`)).json()
    assert.equal(v1.issuer, `http://localhost:8001/${tenantId}/`)
    assert.equal(v1.token_endpoint, `http://localhost:8001/${tenantId}/oauth2/token`)
    const unknown = await get('/fabrikam.test/v2.0/.well-known/openid-configuration')
    assert.equal(unknown.statusCode, 400)
    assert.deepEqual(unknown.json().error_codes, [90002])
  })

  test('JWKS publishes the RS256 key that signs the tokens, with x5c, x5t and issuer as Entra', async () => {
    const { keys } = (await get('/common/discovery/v2.0/keys')).json() as { keys: Jwk[] }
    assert.equal(keys.length, 1)
    const [key] = keys as [Jwk]
    assert.deepEqual(Object.keys(key), ['kty', 'use', 'kid', 'x5t', 'n', 'e', 'x5c', 'issuer'])
    assert.equal(key.kty, 'RSA')
    assert.equal(key.e, 'AQAB')
    assert.equal(key.issuer, 'http://localhost:8001/{tenantid}/v2.0')
    const { keys: tenantKeys } = (
      await get(`/${emulator.demo.tenantId}/discovery/v2.0/keys`)
    ).json() as { keys: Jwk[] }
    assert.equal(tenantKeys[0]!.issuer, `http://localhost:8001/${emulator.demo.tenantId}/v2.0`)
    const der = Buffer.from(key.x5c[0]!, 'base64')
    const certificate = new X509Certificate(der)
    assert.ok(certificate.verify(certificate.publicKey), 'self-signed')
    assert.equal(certificate.publicKey.export({ format: 'jwk' }).n, key.n)
    assert.equal(createHash('sha1').update(der).digest('base64url'), key.x5t)
    assert.equal(key.kid, key.x5t)
    const { importJWK, importX509, jwtVerify } = await import('jose')
    const token = await emulator.client.issueToken({ aud: 'a', expiresIn: 60 })
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())
    assert.equal(header.kid, key.kid)
    assert.equal(header.x5t, key.x5t)
    const { payload } = await jwtVerify(token, await importJWK({ ...key, alg: 'RS256' }))
    assert.equal(payload.aud, 'a')
    await jwtVerify(token, await importX509(certificate.toString(), 'RS256'))
  })

  test('the signing key keeps its kid and certificate across restarts of a data folder', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'emulator-keys-'))
    try {
      const jwks = async () => {
        const started = await buildEmulator({ logger: false, dataDir })
        try {
          return (await started.fastify.inject('/common/discovery/v2.0/keys')).json().keys[0]
        } finally {
          await started.close()
        }
      }
      const first = await jwks()
      assert.deepEqual(await jwks(), first)
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  })

  test('instance discovery lists the emulator host as an alias', async () => {
    const response = await get(
      `/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`https://localhost:8001/${emulator.demo.tenantId}/oauth2/v2.0/authorize`)}`,
    )
    const body = response.json()
    assert.equal(
      body.tenant_discovery_endpoint,
      `http://localhost:8001/${emulator.demo.tenantId}/v2.0/.well-known/openid-configuration`,
    )
    assert.deepEqual(body.metadata[0].aliases, ['localhost:8001'])
  })

  test('control routes answer loopback callers only', async () => {
    const remote = await emulator.fastify.inject({
      method: 'POST',
      url: '/_emulator/users',
      remoteAddress: '10.1.2.3',
      payload: { userPrincipalName: 'x@contoso.test', password: 'p' },
    })
    assert.equal(remote.statusCode, 403)
    assert.equal(remote.json().error.code, 'Forbidden')
    const local = await emulator.fastify.inject({
      method: 'POST',
      url: '/_emulator/users',
      payload: {
        userPrincipalName: 'zoe@contoso.test',
        password: 'Zoe.Demo1',
        givenName: 'Zoé',
        surname: 'Durand',
      },
    })
    assert.equal(local.statusCode, 201)
    assert.equal(local.json().displayName, 'Zoé Durand')
    assert.equal(local.json().password, undefined)
    const uri = await emulator.fastify.inject({
      method: 'POST',
      url: `/_emulator/apps/${emulator.demo.clientId}/redirect-uris`,
      payload: { uri: 'http://localhost:9999/cb' },
    })
    assert.equal(uri.statusCode, 201)
    assert.ok(uri.json().redirectUris.includes('http://localhost:9999/cb'))
    assert.ok(
      (
        await emulator.client.addRedirectUri(emulator.demo.clientId, 'http://localhost:9998/cb')
      ).includes('http://localhost:9999/cb'),
      'the directory kept it',
    )
    assert.equal(
      (
        await emulator.fastify.inject({
          method: 'POST',
          url: '/_emulator/users',
          payload: '{bad json',
          headers: { 'content-type': 'application/json' },
        })
      ).statusCode,
      400,
    )
    const incomplete = await emulator.fastify.inject({
      method: 'POST',
      url: '/_emulator/users',
      payload: { userPrincipalName: 'nopassword@contoso.test' },
    })
    assert.equal(incomplete.statusCode, 400)
    assert.deepEqual(incomplete.json(), {
      error: {
        code: 'InvalidUser',
        message: 'userPrincipalName and password (strings) are required.',
      },
    })
  })

  test('bad input never gives a 500: random forms and bodies on every identity endpoint', async () => {
    const tenant = emulator.demo.tenantId
    const paths = [
      `/${tenant}/oauth2/v2.0/token`,
      `/${tenant}/oauth2/token`,
      `/${tenant}/oauth2/v2.0/authorize`,
      `/${tenant}/login`,
      `/${tenant}/oauth2/v2.0/devicecode`,
      '/devicelogin',
      `/${tenant}/oauth2/v2.0/logout`,
      '/_emulator/tokens/next',
      '/_emulator/refresh-tokens/revoke',
    ]
    const fields = fc.dictionary(
      fc.constantFrom(
        'grant_type',
        'client_id',
        'client_secret',
        'code',
        'scope',
        'redirect_uri',
        'client_assertion',
        'client_assertion_type',
        'refresh_token',
        'device_code',
        'username',
        'password',
        'ctx',
        'step',
        'loginfmt',
        'passwd',
        'otc',
        'response_type',
        'code_challenge',
        'code_challenge_method',
        'prompt',
        'response_mode',
        'nonce',
        'resource',
      ),
      fc.oneof(
        fc.string(),
        fc.constant(emulator.demo.clientId),
        fc.constantFrom(
          'authorization_code',
          'refresh_token',
          'client_credentials',
          'password',
          'device_code',
          'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          'a.b.c',
          'eyJ.eyJ.x',
        ),
      ),
    )
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...paths),
        fields,
        fc.constantFrom('form', 'json', 'garbage', 'query'),
        async (path, form, kind) => {
          const payload =
            kind === 'json'
              ? JSON.stringify(form)
              : kind === 'garbage'
                ? '%%%\u0000{'
                : new URLSearchParams(form).toString()
          const contentType =
            kind === 'json'
              ? 'application/json'
              : kind === 'garbage'
                ? 'text/weird'
                : 'application/x-www-form-urlencoded'
          const response =
            kind === 'query'
              ? await emulator.fastify.inject({
                  method: 'GET',
                  url: `${path}?${new URLSearchParams(form)}`,
                })
              : await emulator.fastify.inject({
                  method: 'POST',
                  url: path,
                  payload,
                  headers: { 'content-type': contentType },
                })
          assert.ok(
            response.statusCode < 500,
            `${response.statusCode} ${path} ${payload}\n${response.body.slice(0, 500)}`,
          )
        },
      ),
      { numRuns: 400 },
    )
  })
})
