/** OIDC UserInfo on the emulator's own host, and discovery documents that point nowhere else. */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { decodeJwt } from 'jose'
import type { Emulator } from '../app.ts'
import { FULL_SCOPE, obtainCode, redeem } from '../../../test/kit/emulator-flows.ts'
import { startEmulator } from '../../../test/kit/msal-setup.ts'

describe('UserInfo and discovery', () => {
  let emulator: Emulator
  before(async () => {
    ;({ emulator } = await startEmulator())
  })
  after(() => emulator.close())

  test('every URL and host name of the discovery documents is the emulator', async () => {
    const { url, demo } = emulator
    const host = new URL(url).host
    for (const path of [
      `/${demo.tenantId}/v2.0/.well-known/openid-configuration`,
      '/common/v2.0/.well-known/openid-configuration',
      `/${demo.tenantId}/.well-known/openid-configuration`,
    ]) {
      const config = (await (await fetch(`${url}${path}`)).json()) as Record<string, unknown>
      for (const [field, value] of Object.entries(config)) {
        if (typeof value !== 'string') continue
        if (/^https?:/.test(value)) assert.ok(value.startsWith(url), `${path} ${field}: ${value}`)
        if (/_host(_name)?$/.test(field)) assert.equal(value, host, `${path} ${field}`)
      }
    }
    const v2 = (await (await fetch(emulator.client.discoveryUrl(demo.tenantId))).json()) as Record<
      string,
      string
    >
    assert.equal(v2.userinfo_endpoint, `${url}/oidc/userinfo`)
    const v1 = (await (
      await fetch(`${url}/${demo.tenantId}/.well-known/openid-configuration`)
    ).json()) as Record<string, string>
    assert.equal(v1.userinfo_endpoint, `${url}/${demo.tenantId}/openid/userinfo`)
  })

  test('GET and POST /oidc/userinfo answer the signed-in user, as in the id token', async () => {
    const obtained = await obtainCode(emulator, { scope: `${FULL_SCOPE} email` }, 1)
    const tokens = (await redeem(emulator, obtained, { scope: `${FULL_SCOPE} email` })).json
    const sub = decodeJwt(String(tokens.id_token)).sub
    const headers = { authorization: `Bearer ${String(tokens.access_token)}` }
    const userinfo = `${emulator.url}/oidc/userinfo`
    const answer = await fetch(userinfo, { headers })
    assert.equal(answer.status, 200)
    assert.match(answer.headers.get('content-type')!, /^application\/json/)
    const claims = (await answer.json()) as Record<string, string>
    assert.deepEqual(claims, {
      sub,
      name: 'Léa Martin',
      family_name: 'Martin',
      given_name: 'Léa',
      picture: `${emulator.url}/v1.0/me/photo/$value`,
      email: 'lea@contoso.test',
    })
    const posted = await fetch(userinfo, { method: 'POST', headers })
    assert.deepEqual(await posted.json(), claims)
    const picture = await fetch(claims.picture!, { headers })
    assert.equal(picture.headers.get('content-type'), 'image/png')
    await picture.body?.cancel()
  })

  test('scopes decide the claims; no openid → 400 UndefinedScope; no token → 401', async () => {
    const userinfo = `${emulator.url}/oidc/userinfo`
    const get = async (scp: string) =>
      fetch(userinfo, {
        headers: { authorization: `Bearer ${await emulator.client.issueToken({ scp })}` },
      })
    const bare = (await (await get('openid User.Read')).json()) as Record<string, string>
    assert.deepEqual(Object.keys(bare), ['sub'])
    const noOpenid = await get('User.Read profile')
    assert.equal(noOpenid.status, 400)
    const error = ((await noOpenid.json()) as { error: { code: string; message: string } }).error
    assert.equal(error.code, 'BadRequest')
    assert.match(error.message, /UndefinedScope/)
    const anonymous = await fetch(userinfo)
    assert.equal(anonymous.status, 401)
    assert.equal(
      ((await anonymous.json()) as { error: { code: string } }).error.code,
      'InvalidAuthenticationToken',
    )
  })

  test('v1 /{tenant}/openid/userinfo answers the v1 id token user claims', async () => {
    const token = await emulator.client.issueToken({ user: 'megan@contoso.test', scp: 'openid' })
    const answer = await fetch(`${emulator.url}/${emulator.demo.tenantId}/openid/userinfo`, {
      headers: { authorization: `Bearer ${token}` },
    })
    const claims = (await answer.json()) as Record<string, string>
    assert.equal(claims.upn, 'megan@contoso.test')
    assert.equal(claims.oid, emulator.demo.users[2]!.id)
    assert.equal(claims.tid, emulator.demo.tenantId)
  })
})
