// Test helpers: authorize URLs, codes obtained through the sign-in pages, and raw token requests.
import type { Emulator } from '../../src/emulator/app.ts'
import { createBrowser, signIn } from './emulator-browser.ts'
import { pkcePair } from './msal-setup.ts'

export const FULL_SCOPE = 'User.Read Mail.Send openid profile offline_access'

export function authorizeUrl(
  emulator: Emulator,
  params: Record<string, string | undefined> = {},
  tenant = emulator.demo.tenantId,
): string {
  const defaults = {
    client_id: emulator.demo.clientId,
    response_type: 'code',
    redirect_uri: emulator.demo.redirectUris[0],
    scope: FULL_SCOPE,
    state: 'xyz',
    client_info: '1',
  }
  const all = Object.entries({ ...defaults, ...params }).filter(
    (entry): entry is [string, string] => entry[1] !== undefined,
  )
  return `${emulator.url}/${tenant}/oauth2/v2.0/authorize?${new URLSearchParams(all)}`
}

/** Signs in through the pages (consenting) and returns the code, the PKCE verifier and the browser. */
export async function obtainCode(
  emulator: Emulator,
  params: Record<string, string | undefined> = {},
  userIndex = 0,
) {
  const pkce = pkcePair()
  const browser = createBrowser(emulator.url)
  const page = await signIn(
    browser,
    authorizeUrl(emulator, {
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
      ...params,
    }),
    emulator.demo.users[userIndex]!,
  )
  if (!page.location) throw new Error(`No redirect:\n${page.body.slice(0, 1500)}`)
  const location = new URL(page.location)
  return { code: location.searchParams.get('code')!, verifier: pkce.verifier, browser, location }
}

export async function postToken(
  emulator: Emulator,
  form: Record<string, string | undefined>,
  options: { tenant?: string; headers?: Record<string, string>; path?: string } = {},
) {
  const body = new URLSearchParams(
    Object.entries(form).filter((entry): entry is [string, string] => entry[1] !== undefined),
  )
  const response = await fetch(
    `${emulator.url}/${options.tenant ?? emulator.demo.tenantId}${options.path ?? '/oauth2/v2.0/token'}`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...options.headers },
      body,
    },
  )
  return {
    status: response.status,
    headers: response.headers,
    json: (await response.json()) as Record<string, unknown>,
  }
}

export const secretAuth = (emulator: Emulator) => ({
  client_id: emulator.demo.clientId,
  client_secret: emulator.demo.clientSecret,
})

export async function redeem(
  emulator: Emulator,
  obtained: { code: string; verifier: string },
  extra: Record<string, string | undefined> = {},
) {
  return postToken(emulator, {
    grant_type: 'authorization_code',
    ...secretAuth(emulator),
    code: obtained.code,
    code_verifier: obtained.verifier,
    redirect_uri: emulator.demo.redirectUris[0],
    scope: FULL_SCOPE,
    client_info: '1',
    ...extra,
  })
}

export async function control(emulator: Emulator, path: string, body: unknown) {
  const response = await fetch(`${emulator.url}/_emulator/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: response.status, text: await response.text() }
}
