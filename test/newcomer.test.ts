/**
 * What a new user hit (issue 12), in real Chromium on the real emulator: the app opened as localhost, a draft through
 * an ended session and a language switch, another account after a cancelled consent.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import type { Browser, Page } from 'playwright-core'
import { launchChromium, signInAtEmulatorPages, watchPage } from './kit/chromium.ts'
import { startSystem, type AppInstance, type System } from './kit/system.ts'

let system: System
let app: AppInstance
let browser: Browser

before(async () => {
  system = await startSystem()
  app = await system.startApp({ env: { SESSION_IDLE_SECONDS: '3' } })
  browser = await launchChromium()
})

after(async () => {
  await browser?.close()
  await system?.close()
})

async function newPage(locale = 'en-US'): Promise<Page> {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } })
  return context.newPage()
}

/** Connect; the emulator asks for the credentials, or (remembering the user) sends the browser straight back. */
async function signIn(page: Page, prefix: string): Promise<void> {
  await page.click('a[href="/connect"]')
  const home = `${app.url}/`
  const settled = (wait: Promise<unknown>) => wait.catch(() => undefined) // the loser times out later
  await Promise.race([settled(page.waitForURL(home)), settled(page.waitForSelector('#i0116'))])
  if (page.url() !== home) {
    await signInAtEmulatorPages(page, system.emulator.url, system.user(prefix))
    await page.waitForURL(home)
  }
}

test('http://localhost:<port> for a 127.0.0.1 PUBLIC_URL: the browser is brought to PUBLIC_URL and signs in', async () => {
  const page = await newPage()
  const port = new URL(app.url).port
  await page.goto(`http://localhost:${port}/`)
  assert.equal(page.url(), `${app.url}/`)
  await signIn(page, 'adele')
  assert.match((await page.textContent('h1')) ?? '', /Adele/)
  await page.context().close()
})

test('a session that ends while composing keeps the draft: Connect again, and the mail is as typed', async () => {
  const page = await newPage()
  await page.goto(`${app.url}/`)
  await signIn(page, 'megan')
  await page.fill('#f-subject', 'Quarterly numbers')
  await page.fill('#f-body', 'Typed before the session ended.')
  await page.waitForTimeout(3500) // SESSION_IDLE_SECONDS=3
  await page.click('form.compose button[type="submit"]')
  await page.waitForURL(`${app.url}/?notice=signed-out`)
  assert.match((await page.textContent('main')) ?? '', /Your session has ended/)
  assert.equal(
    await page.isVisible('[data-draft-kept]'),
    true,
    'the Connect page says the draft is kept',
  )

  await signIn(page, 'megan') // the emulator remembers Megan: straight back
  assert.equal(await page.inputValue('#f-subject'), 'Quarterly numbers')
  assert.equal(await page.inputValue('#f-body'), 'Typed before the session ended.')
  assert.match((await page.textContent('.draft-note')) ?? '', /Your unsent mail was restored/)

  await page.click('form.compose button[type="submit"]')
  await page.waitForSelector('.banner--success')
  await page.reload()
  assert.notEqual(
    await page.inputValue('#f-subject'),
    'Quarterly numbers',
    'sent: the draft is gone',
  )
  assert.equal(await page.$('.draft-note'), null)
  await page.context().close()
})

test('switching to French keeps what was typed', async () => {
  const page = await newPage()
  await page.goto(`${app.url}/`)
  await signIn(page, 'adele')
  await page.fill('#f-subject', 'Brouillon')
  await page.fill('#f-to', 'megan@contoso.test')
  await page.click('a[hreflang="fr"]')
  await page.waitForSelector('html[lang="fr"]')
  assert.equal(await page.inputValue('#f-subject'), 'Brouillon')
  assert.equal(await page.inputValue('#f-to'), 'megan@contoso.test')
  await page.context().close()
})

test('after cancelling consent, "Use another account" shows the account picker, and another user signs in', async () => {
  const app2 = await system.startApp()
  const page = await newPage()
  await page.goto(`${app2.url}/`)
  await page.click('a[href="/connect"]')
  // Nestor has not consented to the demo app in this emulator yet: the consent page comes, and is cancelled.
  await signInAtEmulatorPages(page, system.emulator.url, system.user('nestor'), {
    consent: 'cancel',
  })
  await page.waitForURL(new RegExp(`^${app2.url}/connect/get_token/`))
  assert.match((await page.textContent('main')) ?? '', /Sign-in cancelled/)
  await page.click('a[href="/connect?prompt=select_account"]')
  await page.waitForSelector('#otherTile')
  await page.click('#otherTile')
  await signInAtEmulatorPages(page, system.emulator.url, system.user('diego'))
  await page.waitForURL(`${app2.url}/`)
  assert.match((await page.textContent('h1')) ?? '', /Diego/)
  await page.context().close()
})

test('the Connect page says it is the offline demo; Disconnect comes back to "You are signed out", once', async () => {
  const page = await newPage()
  await page.goto(`${app.url}/`)
  assert.match(
    (await page.textContent('.demo-note')) ?? '',
    /^Offline demo: you sign in to the built-in emulator with a demo account/,
  )
  await signIn(page, 'adele')
  await page.click('form[action="/disconnect"] button')
  await page.waitForURL(`${app.url}/`)
  assert.equal(
    (await page.textContent('.banner--success'))?.trim(),
    'You are signed out. Connect again whenever you like.',
  )
  await page.reload()
  assert.equal(await page.$('.banner--success'), null, 'said once')
  await page.context().close()
})

test('the body has a preview: the HTML as it will be read, in a sandboxed frame, following the edits', async () => {
  const page = await newPage()
  const { violations } = await watchPage(page)
  await page.goto(`${app.url}/`)
  await signIn(page, 'adele')
  await page.click('details[data-preview] summary')
  const frame = page.frameLocator('.preview__frame')
  assert.equal(await frame.locator('h3').first().textContent(), 'What’s next?')
  await page.fill(
    '#f-body',
    '<p>Hello <b>team</b></p><script>parent.document.title = "owned"</script>',
  )
  assert.equal(await frame.locator('b').textContent(), 'team')
  assert.notEqual(await page.title(), 'owned', 'no script runs in the preview')
  assert.equal(await page.getAttribute('.preview__frame', 'sandbox'), '')
  await page.click('details.more summary') // the format is among the options
  await page.check('input[name="format"][value="text"]')
  assert.match((await frame.locator('pre').textContent()) ?? '', /^<p>Hello <b>team<\/b><\/p>/)
  assert.deepEqual(
    violations.filter((line) => !line.startsWith('script-src')),
    [],
  )
  await page.context().close()
})
