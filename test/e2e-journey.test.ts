/**
 * The seed's journey in real Chromium on the real emulator: connect, sign in, send with an attachment, read the
 * delivered mail, inspect the flow, disconnect. Set SCREENSHOTS=1 to refresh docs/screenshots/.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, readFileSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import type { MailboxMessage } from '../src/emulator/index.ts'
import { launchChromium, signInAtEmulatorPages, type Credentials } from './kit/chromium.ts'
import { SEND_MAIL } from './kit/faults.ts'
import { startSystem, type AppInstance, type System } from './kit/system.ts'

const axeSource = readFileSync(
  new URL('../node_modules/axe-core/axe.min.js', import.meta.url),
  'utf8',
)
const shots = process.env.SCREENSHOTS ? new URL('../docs/screenshots/', import.meta.url) : undefined
if (shots) mkdirSync(shots, { recursive: true })

let system: System
let app: AppInstance
let browser: Browser

before(async () => {
  system = await startSystem()
  app = await system.startApp()
  browser = await launchChromium()
})

after(async () => {
  await browser?.close()
  await system?.close()
})

async function checkA11y(page: Page, label: string): Promise<void> {
  await page.evaluate(axeSource) // evaluate, not a script tag: the app's CSP (rightly) blocks inline scripts
  const result = await page.evaluate(async () => {
    // @ts-expect-error axe is injected above
    const run = await window.axe.run(document, { resultTypes: ['violations'] })
    return run.violations
      .filter((v: { impact: string }) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v: { id: string; help: string; nodes: unknown[] }) =>
          `${v.id}: ${v.help} (${v.nodes.length})`,
      )
  })
  assert.deepEqual(result, [], `${label}: axe serious/critical violations`)
}

async function shot(page: Page, name: string): Promise<void> {
  if (shots) await page.screenshot({ path: new URL(`${name}.png`, shots).pathname, fullPage: true })
}

/** Emulator sign-in in Chromium, back on the app's home page; with `screenshots`, the user-name and consent pages. */
async function signInAtEmulator(
  page: Page,
  user: Credentials,
  appUrl: string,
  screenshots = false,
): Promise<void> {
  await signInAtEmulatorPages(page, system.emulator.url, user, {
    onUserName: async () => {
      if (screenshots) await shot(page, '02-emulator-sign-in')
    },
    beforeButton: async () => {
      if (screenshots && (await page.content()).includes('consent'))
        await shot(page, '03-emulator-consent')
    },
  })
  await page.waitForURL(`${appUrl}/`)
}

/** A desktop-sized page in English, in a context of its own. */
async function desktopPage() {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: 'en-US',
  })
  return { context, page: await context.newPage() }
}

/** From the app's home page: Connect, sign in at the emulator, back home. */
async function connect(page: Page, user: Credentials, appUrl: string): Promise<void> {
  await page.goto(`${appUrl}/`)
  await page.getByRole('link', { name: 'Connect to Microsoft 365' }).click()
  await signInAtEmulator(page, user, appUrl)
}

/** Fills in the send form's recipients and subject, and attaches notes.txt holding `notes`. */
async function fillWithNotes(page: Page, to: string, subject: string, notes: string) {
  await page.fill('#f-to', to)
  await page.fill('#f-subject', subject)
  await page.setInputFiles('#f-attachments', {
    name: 'notes.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from(notes),
  })
}

/** The one message with this subject in a mailbox's inbox: it must have arrived exactly once. */
async function deliveredOnce(mailbox: string, subject: string): Promise<MailboxMessage> {
  const inbox = await system.client.messages(mailbox, { folder: 'inbox' })
  const delivered = inbox.filter((message) => message.subject === subject)
  assert.equal(delivered.length, 1)
  return delivered[0]!
}

/** The flow inspector shows the five steps, PKCE and the send, and no raw token. */
async function assertFlowPage(page: Page): Promise<void> {
  const flow = (await page.textContent('main')) ?? ''
  for (const step of [
    '1. Redirect to the sign-in page',
    '2. Reply URL receives',
    '3. Token request',
    '4. Token response',
    '5. Microsoft Graph calls',
  ])
    assert.ok(flow.includes(step), step)
  assert.match(flow, /code_challenge_method\s*S256/)
  assert.match(flow, /\/me\/sendMail/)
  assert.doesNotMatch(flow, /eyJ[\w-]{10,}\.[\w-]{10,}\./, 'no raw token on the flow page')
  await checkA11y(page, 'flow page')
  await shot(page, '06-flow')
}

test('the journey: connect → sign in → send with an attachment → delivered → flow → disconnect', async () => {
  const { context, page } = await desktopPage()
  const cspViolations: string[] = []
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text())
  })
  const foreign: string[] = []
  page.on('request', (request) => {
    const origin = new URL(request.url()).origin
    if (origin !== app.url && origin !== system.emulator.url) foreign.push(request.url())
  })
  const adele = system.user('adele')
  const megan = system.user('megan')

  await page.goto(`${app.url}/`)
  assert.equal(await page.textContent('h1'), 'Microsoft Graph Connect sample')
  await checkA11y(page, 'connect page')
  await shot(page, '01-connect')
  await page.getByRole('link', { name: 'Connect to Microsoft 365' }).click()
  await signInAtEmulator(page, adele, app.url, true)

  assert.equal(await page.textContent('h1'), `Hi, ${adele.displayName}!`)
  assert.equal(await page.inputValue('#f-to'), adele.userPrincipalName)
  await checkA11y(page, 'signed-in page')
  await shot(page, '04-signed-in')
  const cookieBefore = (await context.cookies()).find((cookie) => cookie.name === 'session')
  assert.ok(cookieBefore?.httpOnly)

  const to = `${adele.userPrincipalName}; ${megan.userPrincipalName}`
  await fillWithNotes(page, to, 'Hello from the journey', 'attached text')
  await page.click('button:has-text("Send mail")')
  await page.waitForSelector('.banner--success')
  assert.match(
    (await page.textContent('.banner--success')) ?? '',
    new RegExp(
      `Successfully sent an email to ${adele.userPrincipalName}, ${megan.userPrincipalName}!`,
    ),
  )
  await shot(page, '05-sent')

  const delivered = await deliveredOnce(megan.userPrincipalName, 'Hello from the journey')
  assert.deepEqual(
    delivered.attachments.map((attachment) => attachment.name),
    ['notes.txt'],
  )

  await page.click('text=Sign-in flow')
  await page.waitForURL(`${app.url}/flow`)
  await assertFlowPage(page)

  await page.goto(`${app.url}/`)
  await page.click('button:has-text("Disconnect")')
  await page.waitForURL(`${app.url}/`)
  assert.match((await page.textContent('main')) ?? '', /Connect to Microsoft 365/)

  const reused = await fetch(`${app.url}/`, {
    headers: { cookie: `session=${cookieBefore?.value}` },
  })
  assert.doesNotMatch(await reused.text(), /Hi, /, 'the old cookie is dead')
  assert.deepEqual(foreign, [], 'no third-party loads')
  assert.deepEqual(cspViolations, [])
  await context.close()
})

test('mobile width, French: the pages fit and read well; send as plain text → « Un message a bien été envoyé » → delivered', async () => {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    locale: 'fr-FR',
    isMobile: true,
    hasTouch: true,
  })
  const page = await context.newPage()
  const lea = system.user('lea')
  await page.goto(`${app.url}/`)
  assert.match((await page.textContent('main')) ?? '', /Se connecter à Microsoft 365/)
  await checkA11y(page, 'page de connexion')
  await shot(page, '07-mobile-connect-fr')
  await page.getByRole('link', { name: 'Se connecter à Microsoft 365' }).click()
  await signInAtEmulator(page, lea, app.url)
  assert.equal(await page.textContent('h1'), `Bonjour ${lea.displayName}\u202f!`) // French spacing
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth > window.innerWidth,
  )
  assert.equal(overflow, false, 'no horizontal scrolling')
  await checkA11y(page, 'page connectée')
  await shot(page, '08-mobile-signed-in-fr')

  // The French send: plain text (the pre-filled welcome follows the format), to self and a colleague, one attachment.
  const diego = system.user('diego')
  assert.match(
    await page.inputValue('#f-body'),
    /^<p>Bonjour,<\/p>\n<p>Léa Martin vous envoie ce message avec l’exemple Microsoft Graph Connect/,
  )
  await page.click('summary:has-text("Cc, Cci et options")')
  await page.getByLabel('Texte brut').check()
  const body = await page.inputValue('#f-body')
  assert.match(
    body,
    /^Bonjour,\n\nLéa Martin vous envoie ce message avec l’exemple Microsoft Graph Connect\u202f:/,
  )
  assert.doesNotMatch(body, /<p>/)
  const to = `${lea.userPrincipalName}, ${diego.userPrincipalName}`
  await fillWithNotes(page, to, 'Bonjour depuis le parcours', 'texte joint')
  await page.click('button:has-text("Envoyer le message")')
  await page.waitForSelector('.banner--success')
  assert.match(
    (await page.textContent('.banner--success')) ?? '',
    new RegExp(
      `Un message a bien été envoyé à ${lea.userPrincipalName}, ${diego.userPrincipalName}\u202f!`,
    ),
  )
  await checkA11y(page, 'message envoyé')

  const delivered = await deliveredOnce(diego.userPrincipalName, 'Bonjour depuis le parcours')
  assert.equal(delivered.body.contentType, 'text')
  assert.match(delivered.body.content, /^Bonjour,\r?\n\r?\nLéa Martin vous envoie/)
  assert.match(delivered.body.content, /^Merci et bon développement\u202f!$/m)
  assert.deepEqual(
    delivered.attachments.map((attachment) => attachment.name),
    ['notes.txt'],
  )
  await context.close()
})

test('consent cancelled: an explained page with "Try again", and no sign-in loop (OA-09)', async () => {
  const { context, page } = await desktopPage()
  const diego = system.user('diego')
  const mark = await system.client.mark()
  await page.goto(`${app.url}/`)
  await page.getByRole('link', { name: 'Connect to Microsoft 365' }).click()
  await signInAtEmulatorPages(page, system.emulator.url, diego, { consent: 'cancel' })
  await page.waitForURL((url) => url.href.startsWith(`${app.url}/connect/get_token/`))
  assert.match((await page.textContent('main')) ?? '', /Sign-in cancelled/)
  assert.ok(await page.getByRole('link', { name: 'Try again' }).isVisible())
  await checkA11y(page, 'cancelled page')
  await shot(page, '09-consent-cancelled')
  await page.waitForTimeout(500)
  const authorizes = await system.client.journal({
    since: mark,
    method: 'GET',
    path: '/oauth2/v2.0/authorize',
  })
  assert.equal(authorizes.length, 1, 'one authorize request, no loop')
  const tokens = await system.client.journal({ since: mark, path: /\/oauth2\/v2\.0\/token$/ })
  assert.equal(tokens.length, 0, 'no token request')
  await context.close()
})

test('throttled send: the user is told when to retry and the form is kept as typed', async () => {
  const { context, page } = await desktopPage()
  const megan = system.user('megan')
  await connect(page, megan, app.url)
  const fault = await system.client.addFault({
    match: SEND_MAIL,
    count: 10,
    action: { status: 429, retryAfter: 120 },
  })
  assert.equal(fault.remaining, 10, 'fault accepted')
  await page.fill('#f-subject', 'Typed while throttled')
  await page.click('button:has-text("Send mail")')
  await page.waitForSelector('.banner--error')
  assert.match(
    (await page.textContent('.banner--error')) ?? '',
    /limiting requests \(429\)\. Try again in \d+ seconds/,
  )
  assert.equal(await page.inputValue('#f-subject'), 'Typed while throttled')
  await checkA11y(page, 'throttled page')
  await shot(page, '10-throttled')
  await system.client.clearFaults()
  await context.close()
})

test('a large attachment (over 3 MB) goes through an upload session and arrives whole (needs Mail.ReadWrite)', async (t) => {
  // Drafts and upload sessions need Mail.ReadWrite, which the default scopes do not ask for (least privilege).
  const readWrite = await system.startApp({
    env: { SCOPES: 'openid profile offline_access User.Read Mail.Send Mail.ReadWrite' },
  })
  t.after(() => readWrite.close())
  const { context, page } = await desktopPage()
  const nestor = system.user('nestor')
  await connect(page, nestor, readWrite.url)
  const bytes = Buffer.alloc(3.5 * 1024 * 1024, 7)
  await page.fill('#f-subject', 'Large attachment')
  await page.setInputFiles('#f-attachments', {
    name: 'big.bin',
    mimeType: 'application/octet-stream',
    buffer: bytes,
  })
  await page.click('button:has-text("Send mail")')
  await page.waitForSelector('.banner')
  assert.match((await page.textContent('.banner')) ?? '', /Successfully sent/)
  const inbox = await system.client.messages(nestor.userPrincipalName, { folder: 'inbox' })
  const message = inbox.find((item) => item.subject === 'Large attachment')
  assert.equal(message?.attachments[0]?.name, 'big.bin')
  assert.equal(message?.attachments[0]?.size, bytes.length)
  await context.close()
})
