/**
 * createAuth with real msal-node against a fake identity provider: beginSignIn, completeSignIn (OA-01…05),
 * acquireToken.
 */
import { after, before, beforeEach, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { AppError, AuthError } from '../errors.ts'
import { createMemoryStore } from '../store/memory-store.ts'
import type { Store } from '../store/store.ts'
import { createAuth, type Auth, type AuthConfig } from './create-auth.ts'
import type { SignedInUser } from './sign-in.ts'
import {
  FakeIdentityProvider,
  invalidGrant,
  type FakeUser,
} from '../../../test/kit/fake-identity-provider.ts'
import { tokenCacheKey } from './token-cache.ts'

const adele: FakeUser = {
  oid: 'oid-adele',
  tid: 'tid-1',
  name: 'Adele <Vance>',
  username: 'adele@contoso.test',
}
const alex: FakeUser = {
  oid: 'oid-alex',
  tid: 'tid-1',
  name: 'Alex',
  username: 'alex@contoso.test',
}

let idp: FakeIdentityProvider
let store: Store
let auth: Auth

before(async () => {
  idp = await new FakeIdentityProvider().start()
})
after(() => idp.stop())
beforeEach(async () => {
  idp.tokenCalls.length = 0
  idp.script.length = 0
  idp.expiresIn = 3599
  store = createMemoryStore()
  auth = await createAuth(authConfig(), { store })
})

/** The app's settings against the fake identity provider. */
function authConfig(overrides: Partial<AuthConfig> = {}): AuthConfig {
  return {
    clientId: idp.clientId,
    credential: { kind: 'secret', secret: 'CANARY-SECRET' },
    authority: idp.authority,
    redirectUri: 'http://127.0.0.1:8000/connect/get_token/',
    postLogoutRedirectUri: 'http://127.0.0.1:8000/?a=b&c',
    scopes: ['openid', 'profile', 'offline_access', 'User.Read', 'Mail.Send'],
    sessionSecret: 's'.repeat(32),
    idpTimeoutMs: 2000,
    session: { absoluteSeconds: 3600 },
    ...overrides,
  }
}

async function signIn(user: FakeUser, partition = randomUUID()) {
  const { url, record } = await auth.beginSignIn()
  const callback = idp.authorize(url, user)
  const signedIn = await auth.completeSignIn(
    record,
    { ...callback, session_state: 'x', foo: 'bar' },
    partition,
  )
  return { user: signedIn, partition, record }
}

const rejectsWithCode = (
  promise: Promise<unknown>,
  code: string,
  more: Record<string, unknown> = {},
) =>
  assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof AppError, String(error))
    assert.equal(error.code, code, error.message)
    for (const [key, value] of Object.entries(more))
      assert.deepEqual((error as unknown as Record<string, unknown>)[key], value, key)
    return true
  })

describe('beginSignIn', () => {
  test('builds an authorize URL with state, nonce, S256 PKCE and response_mode=query (an http authority behind an https label)', async () => {
    const { url, record } = await auth.beginSignIn()
    const parsed = new URL(url)
    assert.equal(`${parsed.origin}${parsed.pathname}`, `${idp.authority}/oauth2/v2.0/authorize`)
    const params = parsed.searchParams
    assert.equal(params.get('client_id'), idp.clientId)
    assert.equal(params.get('redirect_uri'), 'http://127.0.0.1:8000/connect/get_token/')
    assert.equal(params.get('response_mode'), 'query')
    assert.equal(params.get('state'), record.state)
    assert.equal(params.get('nonce'), record.nonce)
    assert.equal(params.get('code_challenge_method'), 'S256')
    assert.match(params.get('code_challenge')!, /^[\w-]{43}$/)
    assert.match(params.get('scope')!, /Mail\.Send/)
    assert.ok(
      record.state.length >= 43 && record.nonce.length >= 43 && record.codeVerifier.length >= 43,
    )
    const second = await auth.beginSignIn()
    assert.notEqual(second.record.state, record.state)
    assert.notEqual(
      new URL(second.url).searchParams.get('code_challenge'),
      params.get('code_challenge'),
    )
  })
})

describe('completeSignIn', () => {
  test('redeems the code with the verifier, validates the id_token and returns the user with the granted scopes; the cache is encrypted', async () => {
    const { user, partition } = await signIn(adele)
    assert.deepEqual(user, {
      scopes: ['User.Read', 'Mail.Send', 'openid', 'profile', 'offline_access'],
      homeAccountId: 'oid-adele.tid-1',
      oid: 'oid-adele',
      tid: 'tid-1',
      name: 'Adele <Vance>',
      username: 'adele@contoso.test',
      email: 'adele@contoso.test',
    })
    assert.equal(idp.tokenCalls.length, 1)
    const form = idp.tokenCalls[0]!.form
    assert.equal(form.grant_type, 'authorization_code')
    assert.equal(form.redirect_uri, 'http://127.0.0.1:8000/connect/get_token/')
    assert.ok(form.code_verifier)
    const stored = await store.get<string>(tokenCacheKey(partition))
    assert.ok(stored?.startsWith('v1.'))
    // The tokens are RT-oid-adele-… and AT-oid-adele-…; a bare /RT-|AT-/ also matches random base64url now and then.
    assert.doesNotMatch(stored!, /oid-adele/)
  })

  test('a wrong or missing state is refused before any token request (OA-01)', async () => {
    const { url, record } = await auth.beginSignIn()
    const callback = idp.authorize(url, adele)
    await rejectsWithCode(
      auth.completeSignIn(record, { ...callback, state: 'other' }, 'p'),
      'ERR_AUTH_STATE_INVALID',
    )
    await rejectsWithCode(
      auth.completeSignIn(record, { code: callback.code }, 'p'),
      'ERR_AUTH_STATE_INVALID',
    )
    await rejectsWithCode(
      auth.completeSignIn({ ...record, createdAt: Date.now() - 3_600_000 }, callback, 'p'),
      'ERR_AUTH_STATE_INVALID',
    )
    // As long in characters, longer in bytes: a mismatch, not a RangeError from timingSafeEqual.
    const nonAscii = 'é'.repeat(record.state.length)
    await rejectsWithCode(
      auth.completeSignIn(record, { ...callback, state: nonAscii }, 'p'),
      'ERR_AUTH_STATE_INVALID',
    )
    assert.equal(idp.tokenCalls.length, 0)
  })

  test('an error callback keeps the IdP error and its AADSTS number', async () => {
    const { record } = await auth.beginSignIn()
    const query = {
      state: record.state,
      error: 'access_denied',
      error_description: 'AADSTS65004: User declined to consent to access the app.\r\nTrace ID: x',
    }
    await rejectsWithCode(auth.completeSignIn(record, query, 'p'), 'ERR_AUTH_IDP_ERROR', {
      idpError: 'access_denied',
      aadsts: 65004,
    })
    assert.equal(idp.tokenCalls.length, 0)
  })

  test('a callback iss other than the issuer is refused; the right one is accepted (OA-05)', async () => {
    const { url, record } = await auth.beginSignIn()
    const callback = idp.authorize(url, adele)
    await rejectsWithCode(
      auth.completeSignIn(record, { ...callback, iss: 'https://evil.example' }, 'p'),
      'ERR_AUTH_ISSUER_MISMATCH',
    )
    assert.equal(idp.tokenCalls.length, 0)
    await auth.completeSignIn(record, { ...callback, iss: idp.issuer }, 'p')
  })

  test("an error callback naming another issuer is an issuer mismatch, not that issuer's error (OA-05, RFC 9207 §2.4)", async () => {
    const { record } = await auth.beginSignIn()
    const query = {
      state: record.state,
      error: 'access_denied',
      error_description: 'AADSTS65004: declined',
      iss: 'https://evil.example',
    }
    await rejectsWithCode(auth.completeSignIn(record, query, 'p'), 'ERR_AUTH_ISSUER_MISMATCH')
    await rejectsWithCode(
      auth.completeSignIn(record, { ...query, iss: idp.issuer }, 'p'),
      'ERR_AUTH_IDP_ERROR',
      { aadsts: 65004 },
    )
  })

  for (const [label, overrides] of [
    ['a wrong nonce', { nonce: 'not-the-nonce' }],
    ['a missing nonce', { nonce: null }],
    ['a wrong audience', { aud: 'someone-else' }],
    ['a wrong issuer', { iss: 'https://evil.example/v2.0' }],
    ['a signature from an unknown key', { foreignKey: true }],
  ] as const) {
    test(`an id_token with ${label} is refused and nothing is cached (OA-03, OA-04)`, async () => {
      idp.idTokenOverrides = overrides
      const partition = randomUUID()
      const { url, record } = await auth.beginSignIn()
      await rejectsWithCode(
        auth.completeSignIn(record, idp.authorize(url, adele), partition),
        'ERR_AUTH_ID_TOKEN_INVALID',
      )
      assert.equal(await store.get(tokenCacheKey(partition)), undefined)
    })
  }

  test('a code redeemed with the wrong verifier (code injection) is refused (OA-02)', async () => {
    const victim = await auth.beginSignIn()
    const attacker = await auth.beginSignIn()
    const injected = idp.authorize(attacker.url, alex)
    await rejectsWithCode(
      auth.completeSignIn(victim.record, { ...injected, state: victim.record.state }, 'p'),
      'ERR_AUTH_CODE_REJECTED',
      { aadsts: 501481 },
    )
  })

  test('a bad client secret is ERR_AUTH_CLIENT_REJECTED with AADSTS7000215', async () => {
    idp.script.push({
      status: 401,
      body: {
        error: 'invalid_client',
        error_description: 'AADSTS7000215: Invalid client secret provided.',
        error_codes: [7000215],
      },
    })
    const { url, record } = await auth.beginSignIn()
    await rejectsWithCode(
      auth.completeSignIn(record, idp.authorize(url, adele), 'p'),
      'ERR_AUTH_CLIENT_REJECTED',
      { aadsts: 7000215, idpError: 'invalid_client' },
    )
  })
})

describe('acquireToken', () => {
  test('returns the cached access token without a token request', async () => {
    const { user, partition } = await signIn(adele)
    assert.equal(
      await auth.acquireToken(partition, user),
      'AT-oid-adele-1'.replace('-1', `-${idp.issuedTokens}`),
    )
    assert.equal(idp.tokenCalls.length, 1)
  })

  test('near expiry, 10 concurrent callers cause one refresh (RE-05)', async () => {
    idp.expiresIn = 60 // under msal's 300 s renewal offset: every silent call must refresh
    const { user, partition } = await signIn(adele)
    const tokens = await Promise.all(
      Array.from({ length: 10 }, () => auth.acquireToken(partition, user)),
    )
    assert.equal(
      idp.tokenCalls.filter((call) => call.form.grant_type === 'refresh_token').length,
      1,
    )
    assert.equal(new Set(tokens).size, 1)
    assert.match(tokens[0]!, /^AT-oid-adele-/)
  })

  test('invalid_grant on refresh → ERR_AUTH_INTERACTION_REQUIRED', async () => {
    idp.expiresIn = 60
    const { user, partition } = await signIn(adele)
    idp.script.push(invalidGrant('AADSTS700082: The refresh token has expired due to inactivity.'))
    await rejectsWithCode(auth.acquireToken(partition, user), 'ERR_AUTH_INTERACTION_REQUIRED', {
      aadsts: 700082,
    })
  })

  test('a token-endpoint 503 → ERR_AUTH_UNAVAILABLE with Retry-After; the next call inside it makes no request', async () => {
    idp.expiresIn = 60
    const { user, partition } = await signIn(adele)
    idp.script.push({
      status: 503,
      body: '<html>busy</html>',
      headers: { 'retry-after': '30', 'content-type': 'text/html' },
    })
    await rejectsWithCode(auth.acquireToken(partition, user), 'ERR_AUTH_UNAVAILABLE', {
      retryAfterSeconds: 30,
    })
    const calls = idp.tokenCalls.length
    await rejectsWithCode(auth.acquireToken(partition, user), 'ERR_AUTH_UNAVAILABLE')
    assert.equal(idp.tokenCalls.length, calls)
  })

  test('a store read error is ERR_STORE_UNAVAILABLE and no token request is made (RE-06)', async () => {
    idp.expiresIn = 60
    const { user, partition } = await signIn(adele)
    const calls = idp.tokenCalls.length
    const get = store.get
    store.get = async () => {
      throw new AppError('ERR_STORE_UNAVAILABLE')
    }
    try {
      await rejectsWithCode(auth.acquireToken(partition, user), 'ERR_STORE_UNAVAILABLE')
    } finally {
      store.get = get
    }
    assert.equal(idp.tokenCalls.length, calls)
  })

  test("two users interleaved: every token is its owner's, and partitions are not mixed (RE-06)", async () => {
    idp.expiresIn = 60
    const a = await signIn(adele)
    const b = await signIn(alex)
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2
          ? auth.acquireToken(b.partition, b.user)
          : auth.acquireToken(a.partition, a.user)
        ).then((token) => [i, token] as const),
      ),
    )
    for (const [i, token] of results)
      assert.match(token, i % 2 ? /^AT-oid-alex-/ : /^AT-oid-adele-/)
    await rejectsWithCode(
      auth.acquireToken(a.partition, b.user as SignedInUser),
      'ERR_AUTH_INTERACTION_REQUIRED',
    )
  })

  test('a kept access token: the next acquisition skips msal but still reads the store (a store error still fails, RE-06)', async () => {
    const { user, partition } = await signIn(adele)
    const first = await auth.acquireToken(partition, user)
    const get = store.get
    let reads = 0
    store.get = async (key) => {
      reads++
      return get(key)
    }
    try {
      assert.equal(await auth.acquireToken(partition, user), first)
      assert.equal(
        reads,
        1,
        'one store read: the partition is checked, not decrypted and parsed by msal',
      )
      store.get = async () => {
        throw new AppError('ERR_STORE_UNAVAILABLE')
      }
      await rejectsWithCode(auth.acquireToken(partition, user), 'ERR_STORE_UNAVAILABLE')
    } finally {
      store.get = get
    }
    assert.equal(await auth.acquireToken(partition, user), first)
    assert.equal(idp.tokenCalls.length, 1)
    await rejectsWithCode(
      auth.acquireToken(partition, { ...user, homeAccountId: 'oid-alex.tid-1' }),
      'ERR_AUTH_INTERACTION_REQUIRED',
    )
  })

  test('the access token redeemed at sign-in is kept: the first acquisition checks the stored entry, no decrypt or msal', async () => {
    const { user, partition } = await signIn(adele)
    const sealed = (await store.get<string>(tokenCacheKey(partition)))!
    const get = store.get
    let reads = 0
    // The same entry version (IV and tag) with a damaged body: only a decrypt would notice.
    store.get = async <T>(key: string) => {
      reads++
      return (key === tokenCacheKey(partition) ? `${sealed.slice(0, -4)}AAAA` : await get(key)) as T
    }
    try {
      assert.equal(await auth.acquireToken(partition, user), `AT-oid-adele-${idp.issuedTokens}`)
      assert.equal(reads, 1)
    } finally {
      store.get = get
    }
    assert.equal(idp.tokenCalls.length, 1)
    await auth.forget(partition)
    await rejectsWithCode(auth.acquireToken(partition, user), 'ERR_AUTH_INTERACTION_REQUIRED')
  })

  test('a sign-in whose token expires within the margin keeps nothing: the first acquisition refreshes', async () => {
    idp.expiresIn = 60
    const { user, partition } = await signIn(adele)
    await auth.acquireToken(partition, user)
    assert.equal(
      idp.tokenCalls.filter((call) => call.form.grant_type === 'refresh_token').length,
      1,
    )
  })

  test('a forgotten partition never returns a kept access token, whichever instance forgot it (SE-05)', async () => {
    const { user, partition } = await signIn(adele)
    await auth.acquireToken(partition, user) // kept in memory
    await auth.forget(partition)
    await rejectsWithCode(auth.acquireToken(partition, user), 'ERR_AUTH_INTERACTION_REQUIRED')

    // Another instance (same store) forgets: this one's kept token is not used either.
    const b = await signIn(adele)
    await auth.acquireToken(b.partition, b.user)
    const other = await createAuth(
      authConfig({ postLogoutRedirectUri: 'http://127.0.0.1:8000/' }),
      { store },
    )
    await other.forget(b.partition)
    await rejectsWithCode(auth.acquireToken(b.partition, b.user), 'ERR_AUTH_INTERACTION_REQUIRED')
  })

  test('a forget during an acquisition keeps nothing from it', async () => {
    const { user, partition } = await signIn(adele)
    const acquiring = auth.acquireToken(partition, user)
    await auth.forget(partition)
    await acquiring.catch(() => undefined)
    await rejectsWithCode(auth.acquireToken(partition, user), 'ERR_AUTH_INTERACTION_REQUIRED')
  })

  test('forget removes the partition: the next acquisition needs a sign-in', async () => {
    const { user, partition } = await signIn(adele)
    await auth.forget(partition)
    assert.equal(await store.get(tokenCacheKey(partition)), undefined)
    await rejectsWithCode(auth.acquireToken(partition, user), 'ERR_AUTH_INTERACTION_REQUIRED')
    assert.ok(
      (await auth.acquireToken(partition, user).catch((error: unknown) => error)) instanceof
        AuthError,
    )
  })
})

test('logoutUrl is the end-session endpoint with an encoded post_logout_redirect_uri', () => {
  const url = new URL(auth.logoutUrl())
  assert.equal(`${url.origin}${url.pathname}`, `${idp.authority}/oauth2/v2.0/logout`)
  assert.equal(url.searchParams.get('post_logout_redirect_uri'), 'http://127.0.0.1:8000/?a=b&c')
  assert.match(
    auth.logoutUrl(),
    /post_logout_redirect_uri=http%3A%2F%2F127\.0\.0\.1%3A8000%2F%3Fa%3Db%26c/,
  )
})

test('an unreachable authority fails at start with ERR_AUTH_METADATA', async () => {
  await rejectsWithCode(
    createAuth(
      {
        clientId: 'c',
        credential: { kind: 'secret', secret: 's' },
        authority: `${idp.base}/nope`,
        redirectUri: 'http://127.0.0.1/cb',
        postLogoutRedirectUri: 'http://127.0.0.1/',
        scopes: ['openid'],
        sessionSecret: 's'.repeat(32),
        idpTimeoutMs: 1000,
        session: { absoluteSeconds: 60 },
      },
      { store },
    ),
    'ERR_AUTH_METADATA',
  )
})

test("given metadata (the embedded emulator's, in process): nothing is fetched, and it is checked like fetched metadata", async () => {
  const settings = {
    clientId: idp.clientId,
    credential: { kind: 'secret' as const, secret: 's' },
    authority: idp.authority,
    redirectUri: 'http://127.0.0.1/cb',
    postLogoutRedirectUri: 'http://127.0.0.1/',
    scopes: ['openid'],
    sessionSecret: 's'.repeat(32),
    idpTimeoutMs: 1000,
    session: { absoluteSeconds: 60 },
  }
  const fetched: string[] = []
  const recording: typeof fetch = (input, init) => {
    fetched.push(String(input))
    return fetch(input, init)
  }
  const metadata = (await (
    await fetch(`${idp.authority}/v2.0/.well-known/openid-configuration`)
  ).json()) as Record<string, unknown>
  const given = await createAuth(settings, {
    store,
    fetch: recording,
    metadata: { ...metadata, end_session_endpoint: 'http://127.0.0.1:9/given/logout' },
  })
  assert.deepEqual(fetched, [])
  assert.match(given.logoutUrl(), /^http:\/\/127\.0\.0\.1:9\/given\/logout\?/)
  await rejectsWithCode(
    createAuth(settings, {
      store,
      fetch: recording,
      metadata: { ...metadata, token_endpoint: '' },
    }),
    'ERR_AUTH_METADATA',
  )
  await rejectsWithCode(
    createAuth(settings, { store, fetch: recording, metadata: 'not an object' }),
    'ERR_AUTH_METADATA',
  )
  assert.deepEqual(fetched, [])
})
