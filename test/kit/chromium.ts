/**
 * launchChromium: Debian's Chromium, headless, for every browser test, tool and the bench; and the steps the browser
 * suites share: the emulator's sign-in pages by Entra's element ids, a watch for CSP violations and dialogs.
 */
import { existsSync } from 'node:fs'
import { chromium, type Browser, type Page } from 'playwright-core'

export const CHROMIUM = '/usr/bin/chromium'

const chromiumOptions = {
  executablePath: CHROMIUM,
  // Without the background-networking flags Chromium keeps calling Google's hosts, which this machine refuses.
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
  ],
}

/** Debian's Chromium, headless; when it is not installed, an error that says how to install it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The browser tests need Debian's Chromium at ${CHROMIUM}: run \`sudo apt-get install chromium\` (bash .ci/run installs it).`,
    )
  }
  return chromium.launch(chromiumOptions)
}

export interface Credentials {
  userPrincipalName: string
  password: string
}

export interface ChromiumSignInOptions {
  /** Cancel on the consent page (#idBtn_Back) instead of accepting. */
  consent?: 'accept' | 'cancel'
  /** Called on the user-name page once it is filled in (a screenshot). */
  onUserName?: (page: Page) => Promise<void>
  /** Called before each button pressed after the password (a screenshot). */
  beforeButton?: (page: Page) => Promise<void>
}

/** Fills in the emulator's user name (#i0116) and password (#i0118) pages, pressing #idSIButton9. */
export async function submitCredentials(
  page: Page,
  user: Credentials,
  onUserName?: (page: Page) => Promise<void>,
): Promise<void> {
  await page.waitForSelector('#i0116')
  await page.fill('#i0116', user.userPrincipalName)
  await onUserName?.(page)
  await page.click('#idSIButton9')
  await page.waitForSelector('#i0118')
  await page.fill('#i0118', user.password)
  await page.click('#idSIButton9')
}

/** Submits the credentials, then answers what the emulator shows next (up to 4 pages) until the browser leaves it. */
export async function signInAtEmulatorPages(
  page: Page,
  emulatorUrl: string,
  user: Credentials,
  options: ChromiumSignInOptions = {},
): Promise<void> {
  const atEmulator = () => new URL(page.url()).origin === emulatorUrl
  await submitCredentials(page, user, options.onUserName)
  for (let i = 0; i < 4 && atEmulator(); i++) {
    await page.waitForLoadState('load')
    if (!atEmulator()) break
    if (options.consent === 'cancel' && (await isConsentPage(page))) {
      await page.click('#idBtn_Back')
      continue
    }
    const button = await page.waitForSelector('#idSIButton9', { timeout: 5000 }).catch(() => null)
    if (!button) break
    await options.beforeButton?.(page)
    await button.click().catch(() => undefined) // the click may race the navigation it starts
  }
}

async function isConsentPage(page: Page): Promise<boolean> {
  return Boolean(await page.$('#idBtn_Back')) && (await page.content()).includes('value="consent"')
}

/** The whole journey from the app's home page: Connect, sign in at the emulator, back on the home page. */
export async function connectInChromium(
  page: Page,
  appUrl: string,
  emulatorUrl: string,
  user: Credentials,
): Promise<void> {
  await page.goto(`${appUrl}/`)
  await page.click('a[href="/connect"]')
  await signInAtEmulatorPages(page, emulatorUrl, user)
  await page.waitForURL(`${appUrl}/`)
}

/** Records CSP violations (`directive blockedURI`, plus the sample with `withSample`) and dismisses and records dialogs. */
export async function watchPage(
  page: Page,
  options: { withSample?: boolean } = {},
): Promise<{ violations: string[]; dialogs: string[] }> {
  const violations: string[] = []
  const dialogs: string[] = []
  await page.exposeFunction('reportViolation', (text: string) => void violations.push(text))
  await page.addInitScript(
    ({ withSample }) => {
      document.addEventListener('securitypolicyviolation', (event) =>
        (window as unknown as { reportViolation(text: string): void }).reportViolation(
          withSample
            ? `${event.violatedDirective} ${event.blockedURI} ${event.sample}`
            : `${event.violatedDirective} ${event.blockedURI}`,
        ),
      )
    },
    { withSample: options.withSample ?? false },
  )
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message())
    void dialog.dismiss()
  })
  return { violations, dialogs }
}
