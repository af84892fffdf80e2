/** /authorize: page errors (§A4.1 class 1), redirected errors (class 2), response modes, PKCE, prompt, SSO, i18n. */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Emulator } from '../app.ts'
import { Browser } from '../../../test/kit/browser.ts'
import {
  authorizeUrl,
  obtainCode,
  redeem,
  verifiedClaims,
} from '../../../test/kit/emulator-flows.ts'
import { startEmulator } from '../../../test/kit/msal-setup.ts'

const redirected = (location: string | undefined) => {
  assert.ok(location, 'expected a redirect')
  const url = new URL(location)
  return Object.fromEntries(
    (url.hash ? new URLSearchParams(url.hash.slice(1)) : url.searchParams).entries(),
  )
}

function assertRedirectedError(
  location: string | undefined,
  error: string,
  code: number,
  state = 'xyz',
) {
  const params = redirected(location)
  assert.equal(params.error, error)
  assert.match(
    params.error_description!,
    new RegExp(`^AADSTS${code}: .+\\r\\nTrace ID: .+\\r\\nCorrelation ID: .+\\r\\nTimestamp: .+Z$`),
  )
  assert.equal(params.error_uri, `https://login.microsoftonline.com/error?code=${code}`)
  assert.equal(params.state, state)
}

describe('authorize endpoint', () => {
  let emulator: Emulator
  before(async () => {
    emulator = (await startEmulator()).emulator
  })
  after(() => emulator.close())

  test('unknown client (AADSTS700016), redirect mismatch (AADSTS50011), unknown tenant (AADSTS90002) are shown, never redirected', async () => {
    const browser = new Browser()
    const cases = [
      {
        url: authorizeUrl(emulator, { client_id: '00000000-0000-0000-0000-000000000001' }),
        text: "AADSTS700016: Application with identifier '00000000-0000-0000-0000-000000000001' was not found",
      },
      {
        url: authorizeUrl(emulator, { redirect_uri: 'https://evil.test/cb' }),
        text: "AADSTS50011: The redirect URI 'https://evil.test/cb' specified in the request does not match the redirect URIs configured for the application",
      },
      {
        url: authorizeUrl(emulator, {}, 'fabrikam.test'),
        text: "AADSTS90002: Tenant 'fabrikam.test' not found",
      },
      {
        url: authorizeUrl(emulator, { client_id: undefined }),
        text: "AADSTS900144: The request body must contain the following parameter: 'client_id'",
      },
    ]
    for (const { url, text } of cases) {
      const page = await browser.open(url)
      assert.equal(page.status, 400)
      assert.equal(page.location, undefined)
      assert.ok(page.body.includes(text.replaceAll("'", '&#39;')), page.body)
      assert.match(page.body, /<title>Sign in<\/title>/)
      assert.match(page.body, /Sorry, but we&#39;re having trouble signing you in\./)
      assert.match(page.body, /Request Id[\s\S]*Correlation Id[\s\S]*Timestamp/)
      assert.match(page.headers.get('content-security-policy')!, /default-src 'self'/)
    }
  })

  test('redirected errors: missing response_type, implicit, bad scope, unknown Graph permission, plain PKCE when S256-only', async () => {
    const browser = new Browser()
    assertRedirectedError(
      (await browser.open(authorizeUrl(emulator, { response_type: undefined }))).location,
      'invalid_request',
      900144,
    )
    assertRedirectedError(
      (await browser.open(authorizeUrl(emulator, { response_type: 'token' }))).location,
      'unsupported_response_type',
      700054,
    )
    assertRedirectedError(
      (await browser.open(authorizeUrl(emulator, { scope: 'https://api.example.test/read' })))
        .location,
      'invalid_scope',
      70011,
    )
    const unknown = (await browser.open(authorizeUrl(emulator, { scope: 'openid Nope.Nope' })))
      .location
    assertRedirectedError(unknown, 'invalid_client', 650053)
    assert.match(
      redirected(unknown).error_description!,
      /^AADSTS650053: The application 'Graph Connect \(demo\)' asked for scope 'Nope\.Nope' that doesn't exist on the resource '00000003-0000-0000-c000-000000000000'\. Contact the app vendor\./,
    )
    assertRedirectedError(
      (
        await browser.open(
          authorizeUrl(emulator, { scope: 'https://graph.microsoft.com/.default User.Read' }),
        )
      ).location,
      'invalid_scope',
      70011,
    )
    const strict = (await startEmulator({ pkce: 'S256-only' })).emulator
    try {
      const page = await new Browser().open(
        authorizeUrl(strict, { code_challenge: 'a'.repeat(43) }),
      )
      assertRedirectedError(page.location, 'invalid_request', 50033)
    } finally {
      await strict.close()
    }
  })

  test('PKCE plain (method omitted) is accepted by default', async () => {
    const verifier = 'p'.repeat(50)
    const obtained = await obtainCode(emulator, {
      code_challenge: verifier,
      code_challenge_method: undefined,
    })
    assert.equal((await redeem(emulator, { code: obtained.code, verifier })).status, 200)
  })

  test('Cancel on the consent page → access_denied (AADSTS65004) with state', async () => {
    const page = await new Browser().signInAtEmulator(
      authorizeUrl(emulator, { state: 'cancel-state' }),
      emulator.demo.users[3]!,
      { consent: 'cancel' },
    )
    assertRedirectedError(page.location, 'access_denied', 65004, 'cancel-state')
  })

  test('prompt=none: login_required without a session, consent_required without consent, interaction_required with two accounts', async () => {
    const browser = new Browser()
    assertRedirectedError(
      (await browser.open(authorizeUrl(emulator, { prompt: 'none' }))).location,
      'login_required',
      50058,
    )
    await browser.signInAtEmulator(authorizeUrl(emulator), emulator.demo.users[0]!)
    const silent = await browser.open(authorizeUrl(emulator, { prompt: 'none' }))
    assert.ok(redirected(silent.location).code)
    assertRedirectedError(
      (
        await browser.open(
          authorizeUrl(emulator, { prompt: 'none', scope: 'Mail.ReadWrite openid' }),
        )
      ).location,
      'consent_required',
      65001,
    )
    await browser.signInAtEmulator(
      authorizeUrl(emulator, {
        prompt: 'login',
        login_hint: emulator.demo.users[1]!.userPrincipalName,
      }),
      emulator.demo.users[1]!,
    )
    assertRedirectedError(
      (await browser.open(authorizeUrl(emulator, { prompt: 'none' }))).location,
      'interaction_required',
      16000,
    )
    const hinted = await browser.open(
      authorizeUrl(emulator, {
        prompt: 'none',
        login_hint: emulator.demo.users[1]!.userPrincipalName,
      }),
    )
    assert.ok(redirected(hinted.location).code)
  })

  test('prompt=login asks for the password again; select_account shows the picker; login_hint skips the email step', async () => {
    const browser = new Browser()
    const adele = emulator.demo.users[0]!
    await browser.signInAtEmulator(authorizeUrl(emulator), adele)
    assert.equal(
      browser.heading(await browser.open(authorizeUrl(emulator, { prompt: 'login' }))),
      'Sign in',
    )
    const picker = await browser.open(authorizeUrl(emulator, { prompt: 'select_account' }))
    assert.equal(browser.heading(picker), 'Pick an account')
    assert.ok(redirected((await browser.submit(picker, { account: adele.id })).location).code)
    const hinted = await new Browser().open(
      authorizeUrl(emulator, { login_hint: adele.userPrincipalName }),
    )
    assert.match(hinted.body, /id="i0118" name="passwd"/)
  })

  test('wrong password shows AADSTS50126 and keeps the user on the password step', async () => {
    const browser = new Browser()
    const email = await browser.open(authorizeUrl(emulator))
    assert.match(email.body, /<input id="i0116" name="loginfmt" type="email"/)
    assert.match(email.body, /id="idSIButton9"/)
    const password = await browser.submit(email, { loginfmt: 'adele@contoso.test' })
    const wrong = await browser.submit(password, { passwd: 'nope' })
    assert.match(wrong.body, /AADSTS50126/)
    assert.match(wrong.body, /Your account or password is incorrect/)
    const skip = await browser.submit(wrong, { step: 'kmsi', kmsi: 'yes' })
    assert.match(skip.body, /id="i0118"/, 'a later step cannot be posted before the password')
  })

  test('response_mode fragment and form_post; state byte-exact; unknown parameters ignored', async () => {
    const state = 'a b&c=d/é?%25+'
    const fragment = await obtainCode(emulator, {
      response_mode: 'fragment',
      state,
      clidata: '1',
      'x-client-SKU': 'msal.js.node',
    })
    assert.ok(fragment.location.hash.includes('code='))
    assert.equal(new URLSearchParams(fragment.location.hash.slice(1)).get('state'), state)
    const browser = new Browser()
    await browser.signInAtEmulator(authorizeUrl(emulator), emulator.demo.users[0]!)
    const page = await browser.open(authorizeUrl(emulator, { response_mode: 'form_post', state }))
    assert.equal(page.status, 200)
    assert.match(
      page.body,
      /<form method="POST" name="hiddenform" action="http:\/\/127\.0\.0\.1:8000\/connect\/get_token\/">/,
    )
    assert.match(page.body, /<script src="\/_assets\/identity\/form-post\.js" defer><\/script>/)
    assert.ok(page.body.includes('name="state" value="a b&amp;c=d/é?%25+"'))
    assert.doesNotMatch(page.body, /<script>|style=/)
  })

  test('French by ui_locales or Accept-Language, and a switch link', async () => {
    const fr = await new Browser().open(authorizeUrl(emulator, { ui_locales: 'fr-FR' }))
    assert.match(fr.body, /<html lang="fr">/)
    assert.match(fr.body, /Se connecter/)
    const accept = await new Browser({ headers: { 'accept-language': 'fr-CA,fr;q=0.9' } }).open(
      authorizeUrl(emulator),
    )
    assert.match(accept.body, /Suivant/)
    const href = /<a href="([^"]+)" lang="en"/.exec(accept.body)![1]!.replaceAll('&amp;', '&')
    const english = await new Browser().open(new URL(href, emulator.url).toString())
    assert.match(english.body, /<html lang="en">/)
  })

  test('logout clears the session and redirects only to a registered URI', async () => {
    const browser = new Browser()
    await browser.signInAtEmulator(authorizeUrl(emulator), emulator.demo.users[0]!)
    const out = await browser.request(
      `${emulator.url}/${emulator.demo.tenantId}/oauth2/v2.0/logout?post_logout_redirect_uri=${encodeURIComponent('http://127.0.0.1:8000/')}&state=s1`,
    )
    assert.equal(out.status, 302)
    assert.equal(out.location, 'http://127.0.0.1:8000/?state=s1')
    assert.equal(browser.cookie(emulator.url, 'ESTSAUTH') !== undefined, false)
    assertRedirectedError(
      (await browser.open(authorizeUrl(emulator, { prompt: 'none' }))).location,
      'login_required',
      50058,
    )
    const elsewhere = await browser.request(
      `${emulator.url}/common/oauth2/v2.0/logout?post_logout_redirect_uri=https://evil.test/`,
    )
    assert.equal(elsewhere.status, 200)
    assert.match(elsewhere.body, /You signed out of your account/)
  })

  test('v1: /oauth2/authorize with resource, /oauth2/token answers with string numbers and resource', async () => {
    const browser = new Browser()
    const url = `${emulator.url}/${emulator.demo.tenantDomain}/oauth2/authorize?${new URLSearchParams({ client_id: emulator.demo.clientId, response_type: 'code', redirect_uri: emulator.demo.redirectUris[0]!, resource: 'https://graph.microsoft.com', state: 'v1' })}`
    const landing = await browser.signInAtEmulator(url, emulator.demo.users[0]!)
    const code = redirected(landing.location).code!
    const response = await fetch(`${emulator.url}/${emulator.demo.tenantDomain}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: emulator.demo.clientId,
        client_secret: emulator.demo.clientSecret,
        code,
        redirect_uri: emulator.demo.redirectUris[0]!,
        resource: 'https://graph.microsoft.com',
      }),
    })
    const body = (await response.json()) as Record<string, unknown>
    assert.equal(response.status, 200)
    assert.equal(typeof body.expires_in, 'string')
    assert.equal(typeof body.expires_on, 'string')
    assert.equal(body.resource, 'https://graph.microsoft.com')
    assert.ok(body.refresh_token && body.id_token)
    const claims = await verifiedClaims(emulator, String(body.access_token))
    assert.equal(claims.aud, 'https://graph.microsoft.com')
  })

  test('issParameter (RFC 9207): iss in query, fragment, form_post, success and errors, advertised; off by default', async () => {
    const config = async (target: Emulator, tenant: string) =>
      (await (
        await fetch(`${target.url}/${tenant}/v2.0/.well-known/openid-configuration`)
      ).json()) as Record<string, unknown>
    assert.equal(
      (await config(emulator, emulator.demo.tenantId))
        .authorization_response_iss_parameter_supported,
      undefined,
    )
    assert.equal(
      (await obtainCode(emulator)).location.searchParams.has('iss'),
      false,
      'Entra sends no iss',
    )
    const withIss = (await startEmulator({ issParameter: true })).emulator
    try {
      const metadata = await config(withIss, withIss.demo.tenantId)
      assert.equal(metadata.authorization_response_iss_parameter_supported, true)
      assert.equal(
        (await config(withIss, 'common')).authorization_response_iss_parameter_supported,
        true,
      )
      const v1 = (await (
        await fetch(`${withIss.url}/${withIss.demo.tenantId}/.well-known/openid-configuration`)
      ).json()) as Record<string, unknown>
      assert.equal(v1.authorization_response_iss_parameter_supported, true)
      const issuer = metadata.issuer as string
      assert.equal(issuer, `${withIss.url}/${withIss.demo.tenantId}/v2.0`)
      const query = await obtainCode(withIss)
      assert.equal(query.location.searchParams.get('iss'), issuer)
      assert.equal((await redeem(withIss, query)).status, 200, 'the code still redeems')
      const fragment = await obtainCode(withIss, { response_mode: 'fragment' })
      assert.equal(new URLSearchParams(fragment.location.hash.slice(1)).get('iss'), issuer)
      const browser = new Browser()
      await browser.signInAtEmulator(authorizeUrl(withIss), withIss.demo.users[0]!)
      const formPost = await browser.open(authorizeUrl(withIss, { response_mode: 'form_post' }))
      assert.ok(formPost.body.includes(`name="iss" value="${issuer}"`), formPost.body)
      const implicit = redirected(
        (await browser.open(authorizeUrl(withIss, { response_type: 'token' }))).location,
      )
      assert.equal(implicit.error, 'unsupported_response_type')
      assert.equal(implicit.iss, issuer, 'a redirected error carries iss too')
      const declined = await new Browser().signInAtEmulator(
        authorizeUrl(withIss, { state: 'no' }),
        withIss.demo.users[3]!,
        { consent: 'cancel' },
      )
      assert.equal(redirected(declined.location).error, 'access_denied')
      assert.equal(redirected(declined.location).iss, issuer)
      const silent = redirected(
        (await new Browser().open(authorizeUrl(withIss, { prompt: 'none' }))).location,
      )
      assert.equal(silent.error, 'login_required')
      assert.equal(silent.iss, issuer)
      const common = redirected(
        (await browser.open(authorizeUrl(withIss, { prompt: 'none' }, 'common'))).location,
      )
      assert.ok(common.code)
      assert.equal(common.iss, issuer, 'on /common the tenant of the sign-in stands for {tenantid}')
    } finally {
      await withIss.close()
    }
  })

  test('control: POST /_emulator/tokens/next spoils the next id_token once', async () => {
    await emulator.client.shapeNextIdToken({ nonce: 'evil', aud: 'someone-else' })
    const issued = await redeem(emulator, await obtainCode(emulator, { nonce: 'good' }))
    const claims = JSON.parse(
      Buffer.from(String(issued.json.id_token).split('.')[1]!, 'base64url').toString(),
    )
    assert.equal(claims.nonce, 'evil')
    assert.equal(claims.aud, 'someone-else')
    const next = await redeem(emulator, await obtainCode(emulator, { nonce: 'good' }))
    assert.equal(
      JSON.parse(Buffer.from(String(next.json.id_token).split('.')[1]!, 'base64url').toString())
        .nonce,
      'good',
    )
  })
})
