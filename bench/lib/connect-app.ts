/** The Connect app as a person uses it: Connect → the emulator's sign-in pages → back to the signed-in page. */
import { Browser, decodeEntities, isRedirect, readForm } from './browser.ts'
import type { Page } from './browser.ts'
import { signInAtEmulator } from './entra.ts'
import type { DemoUser } from './entra.ts'

export interface SignedIn {
  browser: Browser
  home: Page
  cookie: string
}

export async function signInToApp(
  appUrl: string,
  user: DemoUser,
  localAddress?: string,
): Promise<SignedIn> {
  const browser = new Browser({ localAddress })
  const appHost = new URL(appUrl).host
  const connect = await browser.request(`${appUrl}/connect`)
  if (!isRedirect(connect.status))
    throw new Error(`GET /connect answered ${connect.status}, not a redirect`)
  const back = await signInAtEmulator(
    browser,
    new URL(String(connect.headers.location), connect.url).toString(),
    user,
  )
  if (new URL(back).host !== appHost)
    throw new Error(`the emulator redirected to ${back}, not to the app`)
  const home = await browser.follow(back, {}, (location) => new URL(location).host === appHost)
  if (home.status !== 200 || !home.body.includes('name="_csrf"')) {
    throw new Error(
      `sign-in did not reach the signed-in page: ${home.status} ${home.url} ${home.body.slice(0, 200)}`,
    )
  }
  return { browser, home, cookie: browser.cookieHeader(appUrl) }
}

/** The send form's fields as the page renders them (pre-filled recipient, subject, body, tokens). */
export function sendFormFields(home: Page): Record<string, string> {
  const form = readForm(home.body, (tag) => /action\s*=\s*["']?\/send/i.test(tag))
  if (!form) throw new Error('no send form on the signed-in page')
  const fields = { ...form.fields }
  const textarea = /<textarea\b[^>]*name\s*=\s*["']?body\b[^>]*>([\s\S]*?)<\/textarea>/i.exec(
    home.body,
  )
  fields.body = textarea ? decodeEntities(textarea[1]) : 'Hello from the bench'
  fields.subject ||= 'Bench'
  fields.saveToSentItems = 'on'
  fields.format ||= 'html'
  fields.importance ||= 'normal'
  return fields
}

const BOUNDARY = '----graph-connect-bench-7MA4YWxkTrZu0gW'

export function multipartBody(fields: Record<string, string>): {
  body: string
  contentType: string
} {
  const parts = Object.entries(fields).map(
    ([name, value]) =>
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  )
  return {
    body: `${parts.join('')}--${BOUNDARY}--\r\n`,
    contentType: `multipart/form-data; boundary=${BOUNDARY}`,
  }
}
