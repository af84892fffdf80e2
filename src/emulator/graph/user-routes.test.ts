/** GET /me, /users/{id} and photos; the 401s of bad tokens. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Emulator } from '../app.ts'
import { call, graphFixture, testEmulator } from '../../../test/kit/emulator-graph.ts'

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

describe('Graph /me and /users', () => {
  let emulator: Emulator
  let token: string
  before(async () => ({ emulator, token } = await graphFixture()))
  after(() => emulator.close())

  it('returns the default property set with nulls, id = token oid, and Graph headers', async () => {
    const response = await call(emulator, 'GET', '/v1.0/me', token)
    assert.equal(response.statusCode, 200)
    const body = response.json()
    assert.match(body['@odata.context'], /\/v1\.0\/\$metadata#users\/\$entity$/)
    assert.deepEqual(Object.keys(body).slice(1), [
      'businessPhones',
      'displayName',
      'givenName',
      'jobTitle',
      'mail',
      'mobilePhone',
      'officeLocation',
      'preferredLanguage',
      'surname',
      'userPrincipalName',
      'id',
    ])
    assert.equal(body.id, emulator.demo.users[0]!.id)
    assert.equal(body.displayName, 'Adele Vance')
    assert.match(String(response.headers['request-id']), GUID)
    assert.equal(response.headers['client-request-id'], response.headers['request-id'])
    assert.equal(response.headers['cache-control'], 'no-cache')
    assert.equal(response.headers['odata-version'], '4.0')
    assert.ok(response.headers['x-ms-ags-diagnostic'])
    assert.ok(response.headers.date)
    assert.match(String(response.headers['content-type']), /^application\/json;/)
    const megan = await call(
      emulator,
      'GET',
      '/v1.0/me',
      await emulator.client.issueToken({ user: 'megan@contoso.test' }),
    )
    assert.equal(megan.json().mobilePhone, null)
  })

  it('echoes client-request-id', async () => {
    const id = '0b0f1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d'
    const response = await call(emulator, 'GET', '/beta/me', token, undefined, {
      'client-request-id': id,
    })
    assert.equal(response.statusCode, 200)
    assert.equal(response.headers['client-request-id'], id)
    assert.match(response.json()['@odata.context'], /\/beta\/\$metadata#users\/\$entity$/)
  })

  it('honours $select and refuses unknown properties', async () => {
    const response = await call(
      emulator,
      'GET',
      '/v1.0/me?$select=displayName,givenName,postalCode',
      token,
    )
    assert.deepEqual(response.json(), {
      '@odata.context': response.json()['@odata.context'],
      displayName: 'Adele Vance',
      givenName: 'Adele',
      postalCode: null,
    })
    assert.match(
      response.json()['@odata.context'],
      /#users\(displayName,givenName,postalCode\)\/\$entity$/,
    )
    const bad = await call(emulator, 'GET', '/v1.0/me?$select=displayName,shoeSize', token)
    assert.equal(bad.statusCode, 400)
    assert.equal(
      bad.json().error.message,
      "Could not find a property named 'shoeSize' on type 'Microsoft.DirectoryServices.User'.",
    )
  })

  it('reads /users/{id|upn}: own profile with User.Read, others need User.ReadBasic.All', async () => {
    const self = await call(emulator, 'GET', '/v1.0/users/adele@contoso.test', token)
    assert.equal(self.statusCode, 200)
    const other = await call(emulator, 'GET', `/v1.0/users/${emulator.demo.users[1]!.id}`, token)
    assert.equal(other.statusCode, 403)
    assert.equal(other.json().error.code, 'Authorization_RequestDenied')
    const broad = await emulator.client.issueToken({ scp: 'User.ReadBasic.All' })
    const allowed = await call(emulator, 'GET', `/v1.0/users/${emulator.demo.users[1]!.id}`, broad)
    assert.equal(allowed.json().displayName, 'Léa Martin')
    const missing = await call(emulator, 'GET', '/v1.0/users/nobody@contoso.test', broad)
    assert.equal(missing.statusCode, 404)
    assert.equal(missing.json().error.code, 'Request_ResourceNotFound')
  })

  it('answers 403 Authorization_RequestDenied to /me without User.Read', async () => {
    const response = await call(
      emulator,
      'GET',
      '/v1.0/me',
      await emulator.client.issueToken({ scp: 'Mail.Send' }),
    )
    assert.equal(response.statusCode, 403)
    assert.equal(
      response.json().error.message,
      'Insufficient privileges to complete the operation.',
    )
  })

  it('answers 400 to /me with an app-only token, and serves /users/{id} with User.Read.All', async () => {
    const app = await emulator.client.issueToken({ roles: ['Mail.Send', 'User.Read.All'] })
    const me = await call(emulator, 'GET', '/v1.0/me', app)
    assert.equal(me.statusCode, 400)
    assert.equal(
      me.json().error.message,
      '/me request is only valid with delegated authentication flow.',
    )
    const user = await call(emulator, 'GET', '/v1.0/users/lea@contoso.test', app)
    assert.equal(user.statusCode, 200)
  })

  it('serves the photo, its metadata, and ImageNotFound when there is none', async () => {
    const photo = await call(emulator, 'GET', '/v1.0/me/photo/$value', token)
    assert.equal(photo.statusCode, 200)
    assert.equal(photo.headers['content-type'], 'image/png')
    assert.deepEqual([...photo.rawPayload.subarray(1, 4)], [0x50, 0x4e, 0x47])
    const meta = await call(emulator, 'GET', '/v1.0/me/photo', token)
    assert.equal(meta.json()['@odata.mediaContentType'], 'image/png')
    assert.equal(meta.json().id, '240X240')
    emulator.context.db
      .prepare('UPDATE users SET photo = NULL WHERE upn = ?')
      .run('megan@contoso.test')
    const none = await call(
      emulator,
      'GET',
      '/v1.0/me/photo/$value',
      await emulator.client.issueToken({ user: 'megan@contoso.test' }),
    )
    assert.equal(none.statusCode, 404)
    assert.equal(none.json().error.code, 'ImageNotFound')
  })

  it("answers unknown segments with Graph's 400", async () => {
    const response = await call(emulator, 'GET', '/v1.0/me/calendarz', token)
    assert.equal(response.statusCode, 400)
    assert.equal(response.json().error.message, "Resource not found for the segment 'calendarz'.")
  })
})

describe('Graph bearer checks', () => {
  let emulator: Emulator
  before(async () => {
    emulator = await testEmulator()
  })
  after(() => emulator.close())

  const expect401 = async (authorization: string | undefined, message: string | RegExp) => {
    const response = await emulator.fastify.inject({
      url: '/v1.0/me',
      headers: authorization ? { authorization } : {},
    })
    assert.equal(response.statusCode, 401)
    assert.match(String(response.headers['content-type']), /^application\/json/)
    assert.equal(
      response.headers['www-authenticate'],
      'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"',
    )
    const { error } = response.json()
    assert.equal(error.code, 'InvalidAuthenticationToken')
    if (typeof message === 'string') assert.equal(error.message, message)
    else assert.match(error.message, message)
    assert.equal(error.innerError['request-id'], response.headers['request-id'])
    assert.match(error.innerError.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/)
  }

  it('no token → "Access token is empty."', () => expect401(undefined, 'Access token is empty.'))
  it('no dots → IDX14100', () =>
    expect401('Bearer garbage', /^IDX14100: JWT is not well formed, there are no dots/))
  it('dots but not a JWT → CompactToken parsing failed', () =>
    expect401('Bearer a.b.c', /^CompactToken parsing failed/))
  it('expired → "has expired or is not yet valid"', async () =>
    expect401(
      `Bearer ${await emulator.client.issueToken({ expiresIn: -10 })}`,
      'Access token has expired or is not yet valid.',
    ))
  it('another audience → "Invalid audience."', async () =>
    expect401(
      `Bearer ${await emulator.client.issueToken({ aud: 'api://other' })}`,
      'Access token validation failure. Invalid audience.',
    ))
  it('tampered signature → validation failure', async () => {
    const [header, payload] = (await emulator.client.issueToken()).split('.')
    return expect401(
      `Bearer ${header}.${payload}.${Buffer.from('forged').toString('base64url')}`,
      'Access token validation failure.',
    )
  })
})
