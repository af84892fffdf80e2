/**
 * Regenerates docs/screenshots/emulator-inbox.png: sends a few mails, opens the viewer in headless Chromium.
 * Run: npm exec -- node tools/inbox-screenshot.ts
 */
import { mkdirSync } from 'node:fs'
import { launchChromium } from '../test/kit/chromium.ts'
import { call, testEmulator } from '../test/kit/emulator-graph.ts'

const emulator = await testEmulator()
try {
  const url = await emulator.listen({ port: 0, host: '127.0.0.1' })
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
  const browser = await launchChromium()
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 760 } })
    await page.goto(`${url}/inbox/lea@contoso.test/inbox`)
    await page.locator('.messages a').first().click()
    await page.waitForLoadState('networkidle')
    mkdirSync('docs/screenshots', { recursive: true })
    await page.screenshot({ path: 'docs/screenshots/emulator-inbox.png' })
    console.log('wrote docs/screenshots/emulator-inbox.png')
  } finally {
    await browser.close()
  }
} finally {
  await emulator.close()
}
