/**
 * The sign-in pages in real Chromium: typing into #i0116/#i0118 and clicking #idSIButton9, as automation for Entra
 * does; axe-core finds no violation of any impact; no CSP violation, no console error (the favicon is served); msal-node
 * redeems the code. And by keyboard alone: Enter on every step is the primary action, in French too.
 * UPDATE_SCREENSHOTS=1 also writes docs/screenshots/emulator-{sign-in,consent}.png.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import type { Page } from 'playwright-core'
import { CHROMIUM, launchChromium } from '../../../test/kit/chromium.ts'
import { confidentialClient, pkcePair, startEmulator } from '../../../test/kit/msal-setup.ts'

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
)
const screenshots = new URL('../../../docs/screenshots/', import.meta.url)

async function assertAccessible(page: Page, label: string) {
  await page.evaluate(axeSource)
  const results = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: { run(): Promise<{ violations: { id: string; impact: string; help: string }[] }> }
      }
    ).axe
    return (await axe.run()).violations.map(({ id, impact, help }) => ({ id, impact, help }))
  })
  assert.deepEqual(results, [], `${label}: ${JSON.stringify(results)}`)
}

const skip = !existsSync(CHROMIUM) && `${CHROMIUM} is missing (apt-get install chromium)`

/** The id of the element that has the keyboard focus. */
const focused = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '')

test('sign-in through real Chromium, then msal-node redeems the code', { skip }, async () => {
  const setup = await startEmulator()
  const browser = await launchChromium()
  const app = await startRedirectTarget()
  try {
    const { demo } = setup.emulator
    const cca = confidentialClient(setup)
    const pkce = pkcePair()
    // A real server receives the redirect: a browser follows a 302 to it as to any app (request interception does
    // not see a redirect's target, and a fixed port may be taken by a running npm start).
    const redirectUri = `${app.url}/connect/get_token/`
    await setup.emulator.client.addRedirectUri(demo.clientId, redirectUri)
    const authUrl = await cca.getAuthCodeUrl({
      scopes: ['User.Read', 'Mail.Send'],
      redirectUri,
      state: 'chromium-state',
      nonce: 'chromium-nonce',
      codeChallenge: pkce.challenge,
      codeChallengeMethod: 'S256',
    })
    const context = await browser.newContext({
      viewport: { width: 1100, height: 900 },
      locale: 'en-US',
    })
    const page = await context.newPage()
    const problems: string[] = []
    page.on('console', (message) => {
      const { url } = message.location()
      // Chromium asks every origin for /favicon.ico; the stand-in app serves none (the emulator does).
      if (message.type() === 'error' && !url.startsWith(`${app.url}/favicon.ico`))
        problems.push(`${message.text()} (${url})`)
    })
    page.on('pageerror', (error) => problems.push(error.message))
    const update = process.env.UPDATE_SCREENSHOTS === '1'
    if (update) mkdirSync(screenshots, { recursive: true })

    await page.goto(authUrl)
    await assertAccessible(page, 'email step')
    await page.fill('#i0116', demo.users[0]!.userPrincipalName)
    if (update)
      await page.screenshot({
        path: new URL('emulator-sign-in.png', screenshots).pathname,
        fullPage: true,
      })
    await page.click('#idSIButton9')
    await page.waitForSelector('#i0118')
    await assertAccessible(page, 'password step')
    await page.fill('#i0118', 'wrong')
    await page.click('#idSIButton9')
    await page.waitForSelector('.error')
    await page.click('button.account') // the demo panel fills the password
    await page.click('#idSIButton9')
    await page.waitForSelector('#idBtn_Back')
    assert.match((await page.textContent('h1')) ?? '', /Stay signed in\?/)
    await assertAccessible(page, 'stay signed in')
    await page.click('#idSIButton9')
    await page.waitForSelector('.permissions')
    assert.match((await page.textContent('.permissions')) ?? '', /Send mail as you/)
    await assertAccessible(page, 'consent')
    if (update)
      await page.screenshot({
        path: new URL('emulator-consent.png', screenshots).pathname,
        fullPage: true,
      })
    await page.click('#idSIButton9')
    await page.waitForURL(`${redirectUri}**`)
    const back = new URL(app.landed[0]!, app.url)
    assert.equal(app.landed.length, 1)
    assert.equal(back.searchParams.get('state'), 'chromium-state')
    const result = await cca.acquireTokenByCode(
      {
        code: back.searchParams.get('code')!,
        scopes: ['User.Read', 'Mail.Send'],
        redirectUri,
        codeVerifier: pkce.verifier,
        nonce: 'chromium-nonce',
        state: 'chromium-state',
      },
      { code: back.searchParams.get('code')!, state: back.searchParams.get('state')! },
    )
    assert.equal(result.account?.username, demo.users[0]!.userPrincipalName)
    assert.deepEqual(problems.slice(), []) // a copy: deepEqual would narrow `problems` to never[]

    const [ssoCookie] = (await context.cookies()).filter((cookie) => cookie.name === 'ESTSAUTH')
    assert.equal(ssoCookie?.httpOnly, true)
    assert.equal(ssoCookie?.sameSite, 'Lax')

    // The other pages pass axe too: account picker (French), error page, device code entry, signed out.
    await page.goto(`${authUrl}&prompt=select_account&ui_locales=fr`)
    assert.match((await page.textContent('h1')) ?? '', /Choisir un compte/)
    await assertAccessible(page, 'account picker')
    await page.goto(authUrl.replace(demo.clientId, '00000000-0000-0000-0000-000000000000'))
    assert.match((await page.textContent('body')) ?? '', /AADSTS700016/)
    await assertAccessible(page, 'error page')
    await page.goto(`${setup.emulator.url}/devicelogin`)
    await assertAccessible(page, 'device code')
    await page.goto(`${setup.emulator.url}/common/oauth2/v2.0/logout`)
    await assertAccessible(page, 'signed out')
    assert.deepEqual(
      problems.filter((text) => !text.includes('400')),
      [],
    )
  } finally {
    await browser.close()
    await setup.emulator.close()
    await new Promise((resolve) => app.server.close(resolve))
  }
})

test(
  'by keyboard alone: Enter is the primary action of every step, in French',
  { skip },
  async () => {
    const setup = await startEmulator()
    const browser = await launchChromium()
    const app = await startRedirectTarget()
    try {
      const { demo } = setup.emulator
      const user = demo.users[1]!
      const redirectUri = `${app.url}/connect/get_token/`
      await setup.emulator.client.addRedirectUri(demo.clientId, redirectUri)
      const authUrl = await confidentialClient(setup).getAuthCodeUrl({
        scopes: ['User.Read', 'Mail.Send'],
        redirectUri,
        state: 'keyboard-state',
      })
      const context = await browser.newContext({ locale: 'fr-FR' })
      const page = await context.newPage()
      const problems: string[] = []
      page.on('console', (message) => {
        if (message.type() === 'error')
          problems.push(`${message.text()} (${message.location().url})`)
      })
      await page.goto(authUrl)
      const icon = await page.getAttribute('link[rel="icon"]', 'href')
      const served = await fetch(new URL(icon!, setup.emulator.url))
      assert.equal(served.headers.get('content-type'), 'image/svg+xml', 'the favicon is served')

      // The focus starts in the user name field; Enter goes on to the password.
      assert.equal(await focused(page), 'i0116')
      await page.keyboard.type(user.userPrincipalName)
      await page.keyboard.press('Enter')
      await page.waitForSelector('#i0118')
      // Back (#idBtn_Back) still leads back to the user name: its own form, not the password form's default button.
      await page.click('#idBtn_Back')
      await page.waitForSelector('#i0116')
      assert.equal(await page.inputValue('#i0116'), user.userPrincipalName, 'the name is kept')
      assert.equal(await focused(page), 'i0116')
      await page.keyboard.press('Enter')
      await page.waitForSelector('#i0118')
      assert.equal(await focused(page), 'i0118')
      await page.keyboard.type(user.password)
      await page.keyboard.press('Enter')

      await page.waitForSelector('#idBtn_Back')
      assert.equal(await page.textContent('h1'), 'Rester connecté\u202f?', 'French typography')
      assert.equal(await focused(page), 'idSIButton9', '"Stay signed in?" focuses Yes')
      await page.keyboard.press('Enter')
      await page.waitForSelector('.permissions')
      assert.match((await page.textContent('main')) ?? '', /Cette application souhaite\u202f:/)
      assert.equal(await focused(page), 'idSIButton9', 'the consent page focuses Accept')
      await page.keyboard.press('Enter')
      await page.waitForURL(`${redirectUri}**`)
      const back = new URL(app.landed[0]!, app.url)
      assert.equal(back.searchParams.get('state'), 'keyboard-state')
      assert.ok(back.searchParams.get('code'), 'consented and signed in: the app gets a code')
      assert.equal(back.searchParams.get('error'), null)
      const sso = (await context.cookies()).find((cookie) => cookie.name === 'ESTSAUTH')
      assert.ok(
        sso?.expires && sso.expires > 0,
        'Yes on "Stay signed in?" keeps a persistent session',
      )
      assert.deepEqual(
        problems.filter((text) => !text.includes(`${app.url}/favicon.ico`)),
        [],
      )
    } finally {
      await browser.close()
      await setup.emulator.close()
      await new Promise((resolve) => app.server.close(resolve))
    }
  },
)

/** The app's side of the redirect: a server on a free port that keeps the callback URLs it was sent. */
async function startRedirectTarget(): Promise<{ server: Server; url: string; landed: string[] }> {
  const landed: string[] = []
  const server = createServer((request, response) => {
    if (request.url?.startsWith('/connect/get_token/')) {
      landed.push(request.url)
      response.writeHead(200, { 'content-type': 'text/plain' }).end('app')
    } else response.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, landed }
}
