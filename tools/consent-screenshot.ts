/**
 * Regenerates the consent page's screenshots: an administrator (Nestor, the demo's admin) asked for a mixed set of
 * permissions, one of which only an admin may grant, in English and in French.
 * docs/screenshots/emulator-consent-mixed-en.png and emulator-consent-mixed-fr.png.
 * Run: npm exec -- node tools/consent-screenshot.ts
 */
import { mkdirSync } from 'node:fs'
import { launchChromium, submitCredentials } from '../test/kit/chromium.ts'
import { testEmulator } from '../test/kit/emulator-graph.ts'

const OUT = 'docs/screenshots'
const SCOPE = 'openid profile offline_access User.Read Mail.Read Calendars.ReadWrite User.Read.All'

const emulator = await testEmulator()
try {
  const url = await emulator.listen({ port: 0, host: '127.0.0.1' })
  const nestor = emulator.demo.users.find((user) => user.userPrincipalName.startsWith('nestor'))!
  const browser = await launchChromium()
  try {
    mkdirSync(OUT, { recursive: true })
    for (const lang of ['en', 'fr'] as const) {
      const context = await browser.newContext({
        locale: lang === 'fr' ? 'fr-FR' : 'en-US',
        viewport: { width: 900, height: 900 },
      })
      const page = await context.newPage()
      await page.goto(
        emulator.client.authorizeUrl(emulator.demo.tenantId, {
          client_id: emulator.demo.clientId,
          response_type: 'code',
          redirect_uri: emulator.demo.redirectUris[0]!,
          scope: SCOPE,
          ui_locales: lang,
        }),
      )
      await submitCredentials(page, nestor)
      await page.waitForSelector('input[name="kmsi"], button[value="yes"]')
      await page.click('#idBtn_Back') // "Stay signed in?" → No
      await page.waitForSelector('.permissions')
      await page.click('.permissions li:last-child summary') // one description open
      const path = `${OUT}/emulator-consent-mixed-${lang}.png`
      await page.screenshot({ path, fullPage: true })
      console.log(`wrote ${path} (${url})`)
      await context.close()
    }
  } finally {
    await browser.close()
  }
} finally {
  await emulator.close()
}
