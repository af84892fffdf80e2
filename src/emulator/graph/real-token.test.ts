/** Graph with tokens from the emulator's own token endpoint (ROPC, client credentials). */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Emulator } from '../app.ts'
import { call, seedMail, testEmulator } from '../../../test/kit/emulator-graph.ts'

// The whole chain with tokens from the emulator's own token endpoint (ROPC and client credentials), not minted ones.
describe("Graph with tokens from the emulator's token endpoint", () => {
  let emulator: Emulator
  before(async () => {
    emulator = await testEmulator()
  })
  after(() => emulator.close())

  const token = async (form: Record<string, string>) => {
    const { tenantId, clientId, clientSecret } = emulator.demo
    const response = await emulator.fastify.inject({
      method: 'POST',
      url: `/${tenantId}/oauth2/v2.0/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        client_id: clientId,
        client_secret: clientSecret,
        ...form,
      }).toString(),
    })
    assert.equal(response.statusCode, 200, response.body)
    return response.json().access_token as string
  }

  it('ROPC token (User.Read Mail.Send): /me works, sendMail delivers, reading mail is refused without Mail.Read', async () => {
    const user = emulator.demo.users[0]!
    // ROPC cannot show a consent page: grant it the way the consent page would.
    await emulator.client.grantConsent({
      user: user.id,
      clientId: emulator.demo.clientId,
      scope: 'User.Read Mail.Send',
    })
    const access = await token({
      grant_type: 'password',
      username: user.userPrincipalName,
      password: user.password,
      scope: 'https://graph.microsoft.com/User.Read https://graph.microsoft.com/Mail.Send',
    })
    const me = await call(emulator, 'GET', '/v1.0/me', access)
    assert.equal(me.statusCode, 200, me.body)
    assert.equal(me.json().id, user.id)
    const sent = await call(
      emulator,
      'POST',
      '/v1.0/me/sendMail',
      access,
      seedMail([user.userPrincipalName]),
    )
    assert.equal(sent.statusCode, 202, sent.body)
    assert.equal(
      (await emulator.client.messages(user.userPrincipalName, { folder: 'inbox' })).length,
      1,
    )
    assert.equal((await call(emulator, 'GET', '/v1.0/me/messages', access)).statusCode, 403)
  })

  it('client-credentials token (roles Mail.Send): /users/{id}/sendMail works, /me is 400', async () => {
    const access = await token({
      grant_type: 'client_credentials',
      scope: 'https://graph.microsoft.com/.default',
    })
    const sent = await call(
      emulator,
      'POST',
      '/v1.0/users/lea@contoso.test/sendMail',
      access,
      seedMail(['megan@contoso.test']),
    )
    assert.equal(sent.statusCode, 202, sent.body)
    assert.equal((await call(emulator, 'GET', '/v1.0/me', access)).statusCode, 400)
  })
})
