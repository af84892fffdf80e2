/** Consent as Entra gives it: .default, incremental consent, admin-only permissions, admin consent, app roles. */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Emulator } from '../app.ts'
import { Browser, type Page } from '../../../test/kit/browser.ts'
import {
  authorizeUrl,
  postToken,
  redeem,
  verifiedClaims,
} from '../../../test/kit/emulator-flows.ts'
import { pkcePair, startEmulator } from '../../../test/kit/msal-setup.ts'

const GRAPH = 'https://graph.microsoft.com'

/** Signs `user` in up to the page after "Stay signed in?" (the consent page, or the redirect). */
async function signInTo(
  browser: Browser,
  url: string,
  user: { userPrincipalName: string; password: string },
) {
  let page = await browser.open(url)
  for (const [step, fields] of [
    ['email', { loginfmt: user.userPrincipalName }],
    ['password', { passwd: user.password }],
    ['kmsi', { kmsi: 'yes' }],
  ] as const)
    if (page.body.includes(`name="step" value="${step}"`)) page = await browser.submit(page, fields)
  return page
}

const atStep = (page: Page, step: string) => page.body.includes(`name="step" value="${step}"`)
const code = (page: Page) => new URL(page.location!).searchParams.get('code')!

describe('consent', () => {
  let emulator: Emulator
  let user: (index: number) => { userPrincipalName: string; password: string }
  before(async () => {
    ;({ emulator } = await startEmulator())
    user = (index) => emulator.demo.users[index]!
  })
  after(() => emulator.close())

  /** The access token's claims for a code got with `scope` (PKCE, redeemed with the secret). */
  async function tokenFor(browser: Browser, scope: string, params: Record<string, string> = {}) {
    const pkce = pkcePair()
    const url = authorizeUrl(emulator, {
      scope,
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
      ...params,
    })
    let page = await browser.open(url)
    if (atStep(page, 'consent')) page = await browser.submit(page, { consent: 'accept' })
    const redeemed = await redeem(
      emulator,
      { code: code(page), verifier: pkce.verifier },
      { scope },
    )
    assert.equal(redeemed.status, 200, JSON.stringify(redeemed.json))
    return {
      json: redeemed.json,
      claims: await verifiedClaims(emulator, String(redeemed.json.access_token)),
    }
  }

  test('incremental: a later request shows consent for the new permissions only; the grant accumulates', async () => {
    const browser = new Browser()
    const first = await signInTo(
      browser,
      authorizeUrl(emulator, { scope: 'openid User.Read' }),
      user(0),
    )
    assert.ok(atStep(first, 'consent'))
    assert.match(first.body, /Sign you in and read your profile/)
    await browser.submit(first, { consent: 'accept' })
    const more = await browser.open(
      authorizeUrl(emulator, { scope: 'openid User.Read Calendars.Read' }),
    )
    assert.ok(atStep(more, 'consent'), 'a prompt for the new permission')
    assert.match(more.body, /Read your calendars/)
    assert.doesNotMatch(more.body, /Sign you in and read your profile/)
    await browser.submit(more, { consent: 'accept' })
    const { claims, json } = await tokenFor(browser, 'openid User.Read')
    assert.equal(claims.scp, 'User.Read Calendars.Read openid', 'every permission granted')
    assert.equal(json.scope, 'openid User.Read Calendars.Read')
  })

  test('any Graph permission, in any case (msgraph-sample-nodeexpressapp asks calendars.readwrite)', async () => {
    const browser = new Browser()
    const scope = 'openid profile offline_access user.read calendars.readwrite mailboxsettings.read'
    const sample = { userPrincipalName: 'sample@contoso.test', password: 'Sample.Demo1' }
    await emulator.client.addUser(sample)
    const page = await signInTo(browser, authorizeUrl(emulator, { scope }), sample)
    assert.ok(atStep(page, 'consent'))
    assert.match(page.body, /Have full access to your calendars/)
    assert.match(page.body, /Read your mailbox settings/)
    await browser.submit(page, { consent: 'accept' })
    const { claims } = await tokenFor(browser, scope)
    assert.equal(claims.scp, 'User.Read Calendars.ReadWrite MailboxSettings.Read openid profile')
  })

  test('.default: no prompt once something is granted, and the token carries what is granted (CLI for Microsoft 365)', async () => {
    const browser = new Browser()
    const page = await signInTo(
      browser,
      authorizeUrl(emulator, { scope: 'openid Mail.Read' }),
      user(1),
    )
    await browser.submit(page, { consent: 'accept' })
    const { claims } = await tokenFor(browser, `openid ${GRAPH}/.default`)
    assert.equal(claims.scp, 'Mail.Read openid', 'Mail.Read, not the configured Mail.Send')
    const lea = user(1)
    const ropc = await postToken(emulator, {
      grant_type: 'password',
      client_id: emulator.demo.clientId,
      username: lea.userPrincipalName,
      password: lea.password,
      scope: `${GRAPH}/.default`,
    })
    assert.equal(ropc.status, 200)
    const mail = await fetch(`${emulator.client.graphUrl()}/me/messages`, {
      headers: { authorization: `Bearer ${String(ropc.json.access_token)}` },
    })
    assert.equal(mail.status, 200, 'the .default token reads mail')
  })

  test('.default with nothing granted: a prompt for the configured permissions; prompt=consent shows them all', async () => {
    const browser = new Browser()
    const page = await signInTo(
      browser,
      authorizeUrl(emulator, { scope: `openid ${GRAPH}/.default` }),
      user(2),
    )
    assert.ok(atStep(page, 'consent'))
    assert.match(page.body, /Sign you in and read your profile/)
    assert.match(page.body, /Send mail as you/)
    await browser.submit(page, { consent: 'accept' })
    const again = await browser.open(
      authorizeUrl(emulator, { scope: `openid ${GRAPH}/.default`, prompt: 'consent' }),
    )
    assert.ok(atStep(again, 'consent'))
    assert.match(again.body, /Send mail as you/)
    const { claims } = await tokenFor(browser, `openid ${GRAPH}/.default`)
    assert.equal(claims.scp, 'User.Read Mail.Send openid')
  })

  test('admin-only permission: "Need admin approval" (AADSTS90094) for a user, AADSTS65001 without a page', async () => {
    const browser = new Browser()
    const url = authorizeUrl(emulator, { scope: 'openid User.Read User.Read.All', state: 's1' })
    const page = await signInTo(browser, url, user(3))
    assert.ok(atStep(page, 'admin-approval'))
    assert.match(browser.heading(page), /Need admin approval/)
    assert.match(page.body, /AADSTS90094: The grant requires admin permission\./)
    const back = await browser.submit(page, { admin: 'return' })
    const params = new URL(back.location!).searchParams
    assert.equal(params.get('error'), 'access_denied')
    assert.match(params.get('error_description')!, /^AADSTS65004:/)
    assert.equal(params.get('state'), 's1')
    const diego = user(3)
    const ropc = {
      grant_type: 'password',
      client_id: emulator.demo.clientId,
      username: diego.userPrincipalName,
      password: diego.password,
      scope: 'User.Read.All',
    }
    const refused = await postToken(emulator, ropc)
    assert.equal(refused.status, 400)
    assert.deepEqual(refused.json.error_codes, [65001])
    await emulator.client.grantConsent({
      clientId: emulator.demo.clientId,
      scope: 'User.Read.All',
      admin: true,
    })
    const granted = await postToken(emulator, ropc)
    assert.equal(granted.status, 200, 'admin consent counts for every user')
    const fr = await browser.open(
      authorizeUrl(emulator, { scope: 'openid Directory.Read.All', ui_locales: 'fr' }),
    )
    assert.match(browser.heading(fr), /Approbation de l’administrateur nécessaire/)
  })

  test('an administrator sees the consent page and may consent for the organization', async () => {
    const browser = new Browser()
    const scope = 'openid User.Read Group.Read.All'
    const page = await signInTo(browser, authorizeUrl(emulator, { scope }), user(4))
    assert.ok(atStep(page, 'consent'))
    assert.match(page.body, /Read all groups/)
    assert.match(page.body, /name="organization"/)
    await browser.submit(page, { consent: 'accept', organization: 'on' })
    const consents = await emulator.client.consents(emulator.demo.clientId)
    assert.ok(
      consents.some((item) => item.user === 'AllPrincipals' && item.scope === 'Group.Read.All'),
    )
    const adele = user(0)
    const ropc = await postToken(emulator, {
      grant_type: 'password',
      client_id: emulator.demo.clientId,
      username: adele.userPrincipalName,
      password: adele.password,
      scope: 'Group.Read.All',
    })
    assert.equal(ropc.status, 200, 'granted for everyone')
  })

  test('client credentials: .default gives the granted application permissions, not the configured ones', async () => {
    const clientId = crypto.randomUUID()
    await emulator.client.addApp({
      clientId,
      secrets: [{ id: 's', value: 'app-secret', expiresAt: '2099-01-01T00:00:00Z' }],
      requiredPermissions: { application: ['Mail.Read', 'Calendars.Read'] },
    })
    const credentials = async () => {
      const response = await postToken(emulator, {
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: 'app-secret',
        scope: `${GRAPH}/.default`,
      })
      return verifiedClaims(emulator, String(response.json.access_token))
    }
    assert.equal((await credentials()).roles, undefined)
    await emulator.client.grantConsent({ clientId, roles: ['Mail.Read'], admin: true })
    assert.deepEqual((await credentials()).roles, ['Mail.Read'])
    await emulator.client.grantConsent({ clientId, roles: ['.default'], admin: true })
    assert.deepEqual((await credentials()).roles, ['Mail.Read', 'Calendars.Read'])
  })

  test('the control API refuses a user consent an administrator must give, and unknown permissions', async () => {
    const refusal = (promise: Promise<unknown>) =>
      promise.then(
        () => assert.fail('expected a refusal'),
        (error: { status: number; code: string; message: string }) => error,
      )
    const byUser = await refusal(
      emulator.client.grantConsent({
        user: user(0).userPrincipalName,
        clientId: emulator.demo.clientId,
        scope: 'Mail.Read.Shared User.Read.All',
      }),
    )
    assert.equal(byUser.status, 400)
    assert.equal(byUser.code, 'InvalidConsent')
    assert.match(byUser.message, /User\.Read\.All requires an administrator's consent/)
    const unknown = await refusal(
      emulator.client.grantConsent({
        clientId: emulator.demo.clientId,
        scope: 'Nope.Nope',
        admin: true,
      }),
    )
    assert.equal(unknown.code, 'InvalidConsent')
    assert.match(unknown.message, /AADSTS650053/)
    const noApp = await refusal(
      emulator.client.grantConsent({ clientId: 'nobody', scope: 'User.Read', admin: true }),
    )
    assert.equal(noApp.status, 404)
  })
})
