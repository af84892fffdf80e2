/** Test kit for the identity side: authorize URLs, codes got through the sign-in pages, raw token requests, claims. */
import { createRemoteJWKSet, jwtVerify } from 'jose'
import type { AccessTokenClaims, Emulator } from '../../src/emulator/index.ts'
import { Browser } from './browser.ts'
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
  return emulator.client.authorizeUrl(tenant, Object.fromEntries(all))
}

/** Signs in through the pages (consenting) and returns the code, the PKCE verifier and the browser. */
export async function obtainCode(
  emulator: Emulator,
  params: Record<string, string | undefined> = {},
  userIndex = 0,
) {
  const pkce = pkcePair()
  const browser = new Browser()
  const page = await browser.signInAtEmulator(
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
  const authority = emulator.client.authorityUrl(options.tenant ?? emulator.demo.tenantId)
  const response = await fetch(`${authority}${options.path ?? '/oauth2/v2.0/token'}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...options.headers },
    body,
  })
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

/** The claims of an access token, once its signature is checked against the emulator's published keys. */
export async function verifiedClaims(
  emulator: Emulator,
  token: string,
): Promise<AccessTokenClaims> {
  const keys = createRemoteJWKSet(new URL(emulator.client.jwksUrl()))
  return (await jwtVerify(token, keys)).payload as AccessTokenClaims
}

/** How Graph answers GET /v1.0/me with this access token: its status and, when it refuses, its error message. */
export async function graphAnswer(
  emulator: Emulator,
  token: string,
): Promise<{ status: number; message?: string }> {
  const response = await fetch(`${emulator.client.graphUrl()}/me`, {
    headers: { authorization: `Bearer ${token}` },
  })
  const body = (await response.json()) as { error?: { message: string } }
  return { status: response.status, ...(body.error ? { message: body.error.message } : {}) }
}

/** Graph's refusal of a token revoked by a code replay: the one it gives an expired token. */
export const REVOKED = { status: 401, message: 'Access token has expired or is not yet valid.' }
