/**
 * Every /token error of protocol-spec §A4.2, provoked and asserted: HTTP status, error, AADSTS in error_codes, shape.
 */
import assert from 'node:assert/strict'
import { generateKeyPairSync, sign } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import type { Emulator } from '../app.ts'
import { Browser } from '../../../test/kit/browser.ts'
import { startEmulator } from '../../../test/kit/msal-setup.ts'
import {
  graphAnswer,
  obtainCode,
  postToken,
  redeem,
  REVOKED,
  secretAuth,
} from '../../../test/kit/emulator-flows.ts'

function assertError(
  response: { status: number; json: Record<string, unknown> },
  status: number,
  error: string,
  code: number,
) {
  assert.equal(response.status, status, JSON.stringify(response.json))
  assert.equal(response.json.error, error)
  assert.deepEqual(response.json.error_codes, [code])
  assert.match(
    String(response.json.error_description),
    new RegExp(
      `^AADSTS${code}: .+\\r\\nTrace ID: [0-9a-f-]{36}\\r\\nCorrelation ID: [0-9a-f-]{36}\\r\\nTimestamp: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ$`,
    ),
  )
  assert.match(String(response.json.timestamp), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/)
  assert.equal(response.json.error_uri, `https://login.microsoftonline.com/error?code=${code}`)
  assert.ok(response.json.trace_id && response.json.correlation_id)
}

function assertion(
  emulator: Emulator,
  claims: Record<string, unknown>,
  privateKeyPem = emulator.demo.certificate.privateKeyPem,
) {
  const x5t = Buffer.from(emulator.demo.certificate.thumbprintSha256, 'hex').toString('base64url')
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const input = `${encode({ alg: 'RS256', typ: 'JWT', 'x5t#S256': x5t })}.${encode(claims)}`
  return `${input}.${sign('sha256', Buffer.from(input), privateKeyPem).toString('base64url')}`
}

describe('token endpoint errors (§A4.2)', () => {
  let emulator: Emulator
  let tokenUrl: string
  before(async () => {
    emulator = (await startEmulator({ deviceCodeLifetimeSeconds: 900 })).emulator
    tokenUrl = `${emulator.url}/${emulator.demo.tenantId}/oauth2/v2.0/token`
  })
  after(() => emulator.close())

  test('a redeemed code is refused (AADSTS54005) and what it issued is revoked', async () => {
    const obtained = await obtainCode(emulator)
    const first = await redeem(emulator, obtained)
    assert.equal(first.status, 200)
    assert.equal(first.headers.get('cache-control'), 'no-store, no-cache')
    assertError(await redeem(emulator, obtained), 400, 'invalid_grant', 54005)
    assert.deepEqual(await graphAnswer(emulator, String(first.json.access_token)), REVOKED)
    const refresh = await postToken(emulator, {
      grant_type: 'refresh_token',
      ...secretAuth(emulator),
      refresh_token: String(first.json.refresh_token),
      scope: 'User.Read',
    })
    assertError(refresh, 400, 'invalid_grant', 50173)
  })

  test('a token Graph already verified and cached is refused on its next call once a replayed code revokes it', async () => {
    const obtained = await obtainCode(emulator)
    const first = await redeem(emulator, obtained)
    assert.equal(first.status, 200)
    const me = () =>
      fetch(`${emulator.url}/v1.0/me`, {
        headers: { authorization: `Bearer ${String(first.json.access_token)}` },
      })
    const tokens = emulator.context.signer
    const verify = tokens.verifyAccessToken
    let verified = 0
    tokens.verifyAccessToken = (token) => (verified++, verify(token))
    try {
      assert.equal((await me()).status, 200)
      assert.equal((await me()).status, 200)
      assert.equal(verified, 1, 'the second call is answered from the cache of verified tokens')
      assertError(await redeem(emulator, obtained), 400, 'invalid_grant', 54005)
      const refused = await me()
      assert.equal(refused.status, 401)
      assert.equal(
        ((await refused.json()) as { error: { code: string } }).error.code,
        'InvalidAuthenticationToken',
      )
      assert.match(refused.headers.get('www-authenticate') ?? '', /^Bearer /)
    } finally {
      tokens.verifyAccessToken = verify
    }
  })

  test('revocations survive a restart on the same data folder, and the control reset forgets them', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'emulator-revocations-'))
    try {
      const { emulator: first } = await startEmulator({ dataDir })
      const obtained = await obtainCode(first)
      const access = String((await redeem(first, obtained)).json.access_token)
      assertError(await redeem(first, obtained), 400, 'invalid_grant', 54005)
      await first.close()
      const { emulator: second } = await startEmulator({ dataDir })
      try {
        assert.deepEqual(await graphAnswer(second, access), REVOKED)
        await second.client.reset()
        assert.deepEqual(await graphAnswer(second, access), { status: 200 })
      } finally {
        await second.close()
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  })

  test('an expired code is refused (AADSTS70008)', async () => {
    const { emulator: quick } = await startEmulator({ authCodeLifetimeSeconds: 0 })
    try {
      assertError(await redeem(quick, await obtainCode(quick)), 400, 'invalid_grant', 70008)
    } finally {
      await quick.close()
    }
  })

  test('garbage code (AADSTS9002313), missing code and missing grant_type (AADSTS900144)', async () => {
    assertError(
      await redeem(emulator, { code: 'garbage', verifier: 'x' }),
      400,
      'invalid_grant',
      9002313,
    )
    assertError(
      await postToken(emulator, { grant_type: 'authorization_code', ...secretAuth(emulator) }),
      400,
      'invalid_request',
      900144,
    )
    const missing = await postToken(emulator, { ...secretAuth(emulator) })
    assertError(missing, 400, 'invalid_request', 900144)
    assert.match(String(missing.json.error_description), /'grant_type'/)
  })

  test('redirect_uri differing from the authorize one (AADSTS500112)', async () => {
    const response = await redeem(emulator, await obtainCode(emulator), {
      redirect_uri: emulator.demo.redirectUris[1],
    })
    assertError(response, 400, 'invalid_grant', 500112)
  })

  test('PKCE: wrong verifier, missing verifier, verifier without challenge (AADSTS501481 / 900144)', async () => {
    assertError(
      await redeem(emulator, { ...(await obtainCode(emulator)), verifier: 'x'.repeat(43) }),
      400,
      'invalid_grant',
      501481,
    )
    assertError(
      await redeem(emulator, await obtainCode(emulator), { code_verifier: undefined }),
      400,
      'invalid_request',
      900144,
    )
    const noChallenge = await obtainCode(emulator, {
      code_challenge: undefined,
      code_challenge_method: undefined,
    })
    assertError(await redeem(emulator, noChallenge), 400, 'invalid_grant', 501481)
  })

  test('bad secret → 401 AADSTS7000215 (post and basic), no credential → 401 AADSTS7000218', async () => {
    const obtained = await obtainCode(emulator)
    assertError(
      await redeem(emulator, obtained, { client_secret: 'wrong' }),
      401,
      'invalid_client',
      7000215,
    )
    const basic = `Basic ${Buffer.from(`${emulator.demo.clientId}:wrong`).toString('base64')}`
    const cc = await postToken(
      emulator,
      { grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' },
      { headers: { authorization: basic } },
    )
    assertError(cc, 401, 'invalid_client', 7000215)
    assertError(
      await redeem(emulator, obtained, { client_secret: undefined }),
      401,
      'invalid_client',
      7000218,
    )
    const good = `Basic ${Buffer.from(`${emulator.demo.clientId}:${encodeURIComponent(emulator.demo.clientSecret)}`).toString('base64')}`
    const ok = await postToken(
      emulator,
      { grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' },
      { headers: { authorization: good } },
    )
    assert.equal(ok.status, 200)
  })

  test('an expired secret → 401 AADSTS7000222', async () => {
    const clientId = crypto.randomUUID()
    await emulator.client.addApp({
      clientId,
      secrets: [{ id: 'old', value: 'old-secret', expiresAt: '2020-01-01T00:00:00Z' }],
      appRoles: ['Mail.Send'],
    })
    const response = await postToken(emulator, {
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: 'old-secret',
      scope: 'https://graph.microsoft.com/.default',
    })
    assertError(response, 401, 'invalid_client', 7000222)
  })

  test('private_key_jwt: bad signature (AADSTS700027), wrong audience (AADSTS700212), expired (AADSTS700024)', async () => {
    const clientId = emulator.demo.clientId
    const now = Math.floor(Date.now() / 1000)
    const good = {
      aud: tokenUrl,
      iss: clientId,
      sub: clientId,
      nbf: now,
      exp: now + 600,
      jti: crypto.randomUUID(),
    }
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString()
    const cc = (clientAssertion: string) =>
      postToken(emulator, {
        grant_type: 'client_credentials',
        client_id: clientId,
        scope: 'https://graph.microsoft.com/.default',
        client_assertion: clientAssertion,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      })
    assert.equal((await cc(assertion(emulator, good))).status, 200)
    assertError(await cc(assertion(emulator, good, other)), 401, 'invalid_client', 700027)
    assertError(
      await cc(assertion(emulator, { ...good, aud: 'https://elsewhere.test/token' })),
      401,
      'invalid_client',
      700212,
    )
    assertError(
      await cc(assertion(emulator, { ...good, nbf: now - 4000, exp: now - 3000 })),
      401,
      'invalid_client',
      700024,
    )
    assertError(await cc('not.a.jwt'), 401, 'invalid_client', 700027)
  })

  test('unknown app → 400 unauthorized_client AADSTS700016; unknown tenant → AADSTS90002', async () => {
    const response = await postToken(emulator, {
      grant_type: 'client_credentials',
      client_id: crypto.randomUUID(),
      client_secret: 'x',
      scope: 'https://graph.microsoft.com/.default',
    })
    assertError(response, 400, 'unauthorized_client', 700016)
    assertError(
      await postToken(emulator, { grant_type: 'client_credentials' }, { tenant: 'fabrikam.test' }),
      400,
      'invalid_tenant',
      90002,
    )
  })

  test('client credentials on /common (AADSTS9001023) and without /.default (AADSTS1002012)', async () => {
    const base = { grant_type: 'client_credentials', ...secretAuth(emulator) }
    assertError(
      await postToken(
        emulator,
        { ...base, scope: 'https://graph.microsoft.com/.default' },
        { tenant: 'common' },
      ),
      400,
      'invalid_request',
      9001023,
    )
    assertError(
      await postToken(emulator, { ...base, scope: 'https://graph.microsoft.com/Mail.Send' }),
      400,
      'invalid_scope',
      1002012,
    )
  })

  test('unknown permission (AADSTS650053), missing consent (AADSTS65001, suberror consent_required), unsupported grant (AADSTS70003)', async () => {
    const megan = emulator.demo.users[2]!
    const ropc = {
      grant_type: 'password',
      client_id: emulator.demo.clientId,
      username: megan.userPrincipalName,
      password: megan.password,
    }
    assertError(
      await postToken(emulator, { ...ropc, scope: 'Foo.Bar openid' }),
      400,
      'invalid_client',
      650053,
    )
    const consent = await postToken(emulator, { ...ropc, scope: 'Mail.ReadWrite openid' })
    assertError(consent, 400, 'invalid_grant', 65001)
    assert.equal(consent.json.suberror, 'consent_required')
    assertError(
      await postToken(emulator, { ...secretAuth(emulator), grant_type: 'magic' }),
      400,
      'unsupported_grant_type',
      70003,
    )
  })

  test('refresh token revoked (AADSTS50173) and idle-expired (AADSTS700082, suberror bad_token)', async () => {
    const issued = await redeem(emulator, await obtainCode(emulator, {}, 1))
    const refresh = () =>
      postToken(emulator, {
        grant_type: 'refresh_token',
        ...secretAuth(emulator),
        refresh_token: String(issued.json.refresh_token),
        scope: 'User.Read openid offline_access',
        client_info: '1',
      })
    const ok = await refresh()
    assert.equal(ok.status, 200)
    assert.ok(
      ok.json.refresh_token && ok.json.refresh_token !== issued.json.refresh_token,
      'rotated',
    )
    // The token carries every permission the user granted the app (Mail.Send at sign-in), not only those asked for.
    assert.equal(ok.json.scope, 'User.Read openid Mail.Send')
    await emulator.client.revokeRefreshTokens({
      user: emulator.demo.users[1]!.userPrincipalName,
      expire: true,
    })
    const expired = await refresh()
    assertError(expired, 400, 'invalid_grant', 700082)
    assert.equal(expired.json.suberror, 'bad_token')
    await emulator.client.revokeRefreshTokens({
      user: emulator.demo.users[1]!.userPrincipalName,
    })
    assertError(await refresh(), 400, 'invalid_grant', 50173)
  })

  test('correlation_id echoes client-request-id', async () => {
    const id = crypto.randomUUID()
    const response = await postToken(
      emulator,
      { ...secretAuth(emulator) },
      { headers: { 'client-request-id': id } },
    )
    assert.equal(response.json.correlation_id, id)
    assert.match(String(response.json.error_description), new RegExp(`Correlation ID: ${id}`))
  })

  test('device code: authorization_pending (AADSTS70016, no Retry-After), declined, expired, redeemed once', async () => {
    const start = async (lifetime?: Emulator) => {
      const target = lifetime ?? emulator
      const response = await fetch(`${target.url}/${target.demo.tenantId}/oauth2/v2.0/devicecode`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: target.demo.clientId, scope: 'User.Read openid' }),
      })
      return (await response.json()) as {
        device_code: string
        user_code: string
        interval: number
        expires_in: number
      }
    }
    const device = await start()
    assert.equal(typeof device.interval, 'number')
    const poll = (target: Emulator, code: string) =>
      postToken(target, {
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        client_id: target.demo.clientId,
        device_code: code,
      })
    const pending = await poll(emulator, device.device_code)
    assertError(pending, 400, 'authorization_pending', 70016)
    assert.equal(pending.headers.get('retry-after'), null)
    const browser = new Browser()
    const entry = await browser.open(`${emulator.url}/devicelogin`)
    const confirm = await browser.submit(entry, { otc: device.user_code.toLowerCase() })
    const done = await browser.submit(confirm, { device: 'cancel' })
    assert.match(done.body, /declined/)
    assertError(await poll(emulator, device.device_code), 400, 'authorization_declined', 70000)
    const { emulator: short } = await startEmulator({ deviceCodeLifetimeSeconds: 0 })
    try {
      assertError(await poll(short, (await start(short)).device_code), 400, 'expired_token', 70019)
    } finally {
      await short.close()
    }
    assertError(await poll(emulator, 'unknown'), 400, 'bad_verification_code', 70000)
  })

  test('the code is bound to the client (AADSTS70000)', async () => {
    const clientId = crypto.randomUUID()
    await emulator.client.addApp({
      clientId,
      secrets: [{ id: 's', value: 'other-secret', expiresAt: '2099-01-01T00:00:00Z' }],
    })
    const response = await redeem(emulator, await obtainCode(emulator), {
      client_id: clientId,
      client_secret: 'other-secret',
    })
    assertError(response, 400, 'invalid_grant', 70000)
  })
})

test('concurrent redemptions of one code: exactly one succeeds, and its tokens are revoked', async () => {
  const { emulator } = await startEmulator()
  try {
    const obtained = await obtainCode(emulator)
    const results = await Promise.all(Array.from({ length: 8 }, () => redeem(emulator, obtained)))
    const ok = results.filter((result) => result.status === 200)
    assert.equal(ok.length, 1)
    assert.ok(
      results
        .filter((result) => result.status === 400)
        .every((result) => (result.json.error_codes as number[])[0] === 54005),
    )
    assert.deepEqual(await graphAnswer(emulator, String(ok[0]!.json.access_token)), REVOKED)
  } finally {
    await emulator.close()
  }
})
