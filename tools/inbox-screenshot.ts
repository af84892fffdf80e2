/**
 * Regenerates the inbox viewer's screenshots: sends a few mails, opens the viewer in headless Chromium.
 * docs/screenshots/emulator-inbox.png: Léa's Inbox with a message open (desktop).
 * docs/screenshots/emulator-inbox-source.png: a search across every mailbox, a message's MIME source (desktop).
 * docs/screenshots/emulator-inbox-phone.png: a message at phone width, in French.
 * Run: npm exec -- node tools/inbox-screenshot.ts
 */
import { mkdirSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { launchChromium } from '../test/kit/chromium.ts'
import { call, testEmulator } from '../test/kit/emulator-graph.ts'

const OUT = 'docs/screenshots'
const emulator = await testEmulator()
try {
  const url = await emulator.listen({ port: 0, host: '127.0.0.1' })
  await sendMails()
  const browser = await launchChromium()
  try {
    mkdirSync(OUT, { recursive: true })
    await shoot(
      browser,
      'emulator-inbox.png',
      { locale: 'en-US', width: 1280, height: 760 },
      async (page) => {
        await page.goto(`${url}/inbox/lea@contoso.test/inbox`)
        await page.locator('.messages a').first().click()
      },
    )
    await shoot(
      browser,
      'emulator-inbox-source.png',
      { locale: 'en-US', width: 1280, height: 760 },
      async (page) => {
        await page.goto(`${url}/?q=${encodeURIComponent('to:lea')}`)
        await page.locator('.messages a:has-text("Léa Martin · Inbox")').first().click()
        await page.locator('.tabs a', { hasText: 'Source' }).click()
      },
    )
    await shoot(
      browser,
      'emulator-inbox-phone.png',
      { locale: 'fr-FR', width: 390, height: 844 },
      async (page) => {
        await page.goto(`${url}/inbox/lea@contoso.test/inbox`)
        await page.locator('.messages a:has-text("Quarterly numbers")').click()
      },
    )
  } finally {
    await browser.close()
  }
} finally {
  await emulator.close()
}

async function shoot(
  browser: Browser,
  name: string,
  view: { locale: string; width: number; height: number },
  go: (page: Page) => Promise<void>,
) {
  const context = await browser.newContext({
    locale: view.locale,
    timezoneId: 'Europe/Paris',
    viewport: { width: view.width, height: view.height },
  })
  const page = await context.newPage()
  await go(page)
  await page.waitForLoadState('networkidle')
  await page.screenshot({ path: `${OUT}/${name}` })
  await context.close()
  console.log(`wrote ${OUT}/${name}`)
}

async function sendMails() {
  const adele = await emulator.client.issueToken()
  const megan = await emulator.client.issueToken({ user: 'megan@contoso.test' })
  const send = (token: string, message: Record<string, unknown>) =>
    call(emulator, 'POST', '/v1.0/me/sendMail', token, { message })
  await send(megan, {
    subject: 'Quarterly numbers',
    importance: 'high',
    body: {
      contentType: 'Text',
      content: 'Hi Léa, the Q3 numbers are in. Can we review them on Thursday?',
    },
    toRecipients: [{ emailAddress: { address: 'lea@contoso.test' } }],
    attachments: [
      {
        '@odata.type': '#microsoft.graph.fileAttachment',
        name: 'q3-summary.csv',
        contentType: 'text/csv',
        contentBytes: Buffer.from('region,revenue\nEMEA,120\n').toString('base64'),
      },
    ],
  })
  await send(adele, {
    subject: 'Welcome to Office 365 development with the Connect sample',
    body: {
      contentType: 'HTML',
      content:
        '<html><body style="font-family:Segoe UI,sans-serif"><h2 style="color:#0f6cbd">Congratulations!</h2><p>This is a message from the <b>Graph Connect</b> sample. You are well on your way to incorporating Microsoft Graph endpoints in your apps.</p><p>— Adele</p></body></html>',
    },
    toRecipients: [{ emailAddress: { address: 'lea@contoso.test', name: 'Léa Martin' } }],
    ccRecipients: [{ emailAddress: { address: 'partner@example.org', name: 'Partner' } }],
  })
}
