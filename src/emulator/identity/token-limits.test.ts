/** AADSTS50196 (client request loop), detected or scripted, and down-scoped grants at the token endpoint. */
import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import type { Emulator } from '../app.ts'
import { testEmulator } from '../../../test/kit/emulator-graph.ts'
import { postToken, secretAuth, verifiedClaims } from '../../../test/kit/emulator-flows.ts'

const pause = (seconds: number) =>
  new Promise((resolve) => setTimeout(resolve, seconds * 1000 + 50))

describe('Token endpoint: loop detection and down-scoped grants', () => {
  let emulator: Emulator
  before(async () => {
    emulator = await testEmulator({ throttling: {} })
    await emulator.listen({ port: 0, host: '127.0.0.1' })
  })
  beforeEach(async () => {
    await emulator.client.reset()
    await emulator.client.configureThrottling({})
  })
  after(() => emulator.close())

  const appToken = (scope = 'https://graph.microsoft.com/.default') =>
    postToken(emulator, { grant_type: 'client_credentials', ...secretAuth(emulator), scope })
  const assertLoop = (answer: Awaited<ReturnType<typeof appToken>>) => {
    assert.equal(answer.status, 400)
    assert.equal(answer.json.error, 'invalid_grant')
    assert.deepEqual(answer.json.error_codes, [50196])
    assert.match(
      String(answer.json.error_description),
      /^AADSTS50196: The server terminated an operation because it encountered a client request loop\. Please contact your app vendor\.\r\nTrace ID: /,
    )
  }

  it('detects nothing by default, however often the same request comes', async () => {
    for (let index = 0; index < 16; index++) assert.equal((await appToken()).status, 200)
  })

  it('answers AADSTS50196 after N identical requests in the window, once configured; others go on', async () => {
    await emulator.client.configureThrottling({ tokenLoopRequests: 3, tokenLoopWindowSeconds: 1 })
    for (let index = 0; index < 3; index++) assert.equal((await appToken()).status, 200)
    assertLoop(await appToken())
    assert.equal((await appToken('00000003-0000-0000-c000-000000000000/.default')).status, 200)
    await pause(1)
    assert.equal((await appToken()).status, 200, 'the window has passed')
  })

  it('answers AADSTS50196 when a fault scripts it', async () => {
    const path = '/oauth2/v2.0/token$'
    await emulator.client.addFault({ match: { path }, action: { aadsts: 50196 } })
    assertLoop(await appToken())
    assert.equal((await appToken()).status, 200, 'once')
    const bad = await emulator.client
      .addFault({ match: { path }, action: { aadsts: 1 } })
      .catch((error) => error)
    assert.equal(bad.code, 'InvalidFault')
  })

  it('issues fewer scopes than asked when a fault withholds some; scope and scp say what was granted', async () => {
    const megan = emulator.demo.users[2]!
    const scope = 'User.Read Mail.Send openid'
    await emulator.client.grantConsent({
      user: megan.userPrincipalName,
      clientId: emulator.demo.clientId,
      scope,
    })
    const ropc = {
      grant_type: 'password',
      client_id: emulator.demo.clientId,
      username: megan.userPrincipalName,
    }
    const path = '/oauth2/v2.0/token$'
    await emulator.client.addFault({ match: { path }, action: { withholdScopes: ['Mail.Send'] } })
    const reduced = await postToken(emulator, { ...ropc, password: megan.password, scope })
    assert.equal(reduced.status, 200)
    assert.equal(reduced.json.scope, 'User.Read openid')
    const claims = await verifiedClaims(emulator, String(reduced.json.access_token))
    assert.equal(claims.scp, 'User.Read openid')
    const send = await fetch(`${emulator.client.graphUrl()}/me/sendMail`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${reduced.json.access_token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        message: { toRecipients: [{ emailAddress: { address: 'lea@contoso.test' } }] },
      }),
    })
    assert.equal(send.status, 403)
    const [entry] = (await emulator.client.journal({ path: /token$/ })).slice(-1)
    assert.equal(entry!.fault, 'withholdScopes Mail.Send')
    const full = await postToken(emulator, { ...ropc, password: megan.password, scope })
    assert.equal(full.json.scope, scope, 'the next request gets every scope')
  })
})
