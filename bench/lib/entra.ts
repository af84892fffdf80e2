/**
 * Drives the emulator's Entra-style sign-in pages as a person would: loginfmt, passwd, then the primary button
 * (#idSIButton9: Next, Sign in, Yes to "Stay signed in?", Accept on consent) until it redirects back to the app.
 */
import { createHash, randomBytes } from 'node:crypto'
import { attribute, isRedirect, readForm } from './browser.ts'
import type { Browser, Page } from './browser.ts'

export interface DemoUser {
  userPrincipalName: string
  password: string
}

export interface Demo {
  tenantId: string
  clientId: string
  clientSecret: string
  users: DemoUser[]
}

export const REDIRECT_URI = 'http://127.0.0.1:8000/connect/get_token/'
export const SCOPES = 'openid profile offline_access https://graph.microsoft.com/Mail.Send'

/** Follows the emulator's pages from `startUrl` and returns the URL it finally redirects to outside itself. */
export async function signInAtEmulator(
  browser: Browser,
  startUrl: string,
  user: DemoUser,
): Promise<string> {
  const emulatorHost = new URL(startUrl).host
  const inside = (location: string) => new URL(location).host === emulatorHost
  let page = await browser.follow(startUrl, {}, inside)
  for (let step = 0; step < 8; step++) {
    if (isRedirect(page.status)) return new URL(String(page.headers.location), page.url).toString()
    const form = readForm(page.body)
    if (!form)
      throw new Error(`sign-in stuck at ${page.url}: status ${page.status}: ${excerpt(page)}`)
    const fields = { ...form.fields, ...primaryButton(page.body) }
    if ('loginfmt' in fields) fields.loginfmt = user.userPrincipalName
    if ('passwd' in fields) fields.passwd = user.password
    page = await browser.follow(
      new URL(form.action || page.url, page.url).toString(),
      { form: fields },
      inside,
    )
  }
  throw new Error(`sign-in did not finish: ${page.url}: ${excerpt(page)}`)
}

function primaryButton(html: string): Record<string, string> {
  const tag = /<(?:input|button)\b[^>]*\bid\s*=\s*["']?idSIButton9\b[^>]*>/i.exec(html)?.[0]
  const name = tag ? attribute(tag, 'name') : undefined
  return name ? { [name]: attribute(tag ?? '', 'value') ?? '' } : {}
}

function excerpt(page: Page): string {
  return page.body.replace(/\s+/g, ' ').slice(0, 300)
}

export function pkcePair() {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

export function authorizeUrl(emulatorUrl: string, demo: Demo, challenge: string): string {
  const query = new URLSearchParams({
    client_id: demo.clientId,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    response_mode: 'query',
    scope: SCOPES,
    state: randomBytes(16).toString('base64url'),
    nonce: randomBytes(16).toString('base64url'),
    code_challenge: challenge,
    code_challenge_method: 'S256',
  })
  return `${emulatorUrl}/${demo.tenantId}/oauth2/v2.0/authorize?${query}`
}

/** An access token for Graph by ROPC (grant_type=password), as test tooling does. */
export async function passwordGrant(
  emulatorUrl: string,
  demo: Demo,
  user: DemoUser,
): Promise<string> {
  const response = await fetch(`${emulatorUrl}/${demo.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: demo.clientId,
      client_secret: demo.clientSecret,
      username: user.userPrincipalName,
      password: user.password,
      scope: 'https://graph.microsoft.com/Mail.Send', // consented by the interactive sign-in that precedes it
    }),
  })
  const body = (await response.json()) as {
    access_token?: string
    error?: string
    error_description?: string
  }
  if (!body.access_token)
    throw new Error(`ROPC failed: ${response.status} ${body.error}: ${body.error_description}`)
  return body.access_token
}
