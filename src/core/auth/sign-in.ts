/** `createSignIn`: the authorization-code flow's two steps, with state, nonce, PKCE and id_token validation. */
import { createHash, randomBytes } from 'node:crypto'
import type { AuthenticationResult } from '@azure/msal-node'
import { AuthError } from '../errors.ts'
import { safeEqual } from '../safe-equal.ts'
import type { AccessTokenMemo } from './access-token-memo.ts'
import { issuerMatches, type ResolvedAuthority } from './authority.ts'
import type { IdTokenClaims, IdTokenValidator } from './id-token.ts'
import { mapMsalError, parseAadsts } from './map-msal-error.ts'
import type { MsalClients } from './msal-client.ts'
import type { TokenExchangeObserver } from './network-client.ts'
import { accountsIn, type TokenCacheStore } from './token-cache.ts'

const SIGN_IN_MAX_AGE_MS = 15 * 60_000 // a pending sign-in older than this is refused (codes live ~10 minutes)

/** The one-time record kept server-side between beginSignIn and completeSignIn (under its state). */
export interface SignInRecord {
  /** Binds the callback to this sign-in (OA-01). */
  state: string
  /** Binds the id_token to this sign-in (OA-03). */
  nonce: string
  /** The PKCE verifier; the authorize URL carries its S256 challenge (OA-02). */
  codeVerifier: string
  /** Unix milliseconds. */
  createdAt: number
}

/** Who signed in. Keyed by homeAccountId (oid.tid), never by name or address. */
export interface SignedInUser {
  /** msal's account key, `<oid>.<tid>`. */
  homeAccountId: string
  /** The user's object id in the tenant. */
  oid: string
  /** The tenant id. */
  tid: string
  /** The display name (the username when the token has none). */
  name: string
  /** preferred_username (UPN or address). */
  username: string
  /** The user's address when the token carries one (email, else a preferred_username that is an address). */
  email: string | undefined
  /**
   * The scopes the token endpoint granted at sign-in (msal's `result.scopes`, as Entra names them): what the user's
   * tokens may do, which can be less than was asked. Absent when unknown (a user kept by an earlier version).
   */
  scopes?: readonly string[]
}

export interface BeginSignInOptions {
  prompt?: 'login' | 'select_account' | 'consent' | 'none'
  loginHint?: string
}

export interface SignInParts {
  redirectUri: string
  scopes: readonly string[]
  /** The scopes of silent acquisitions: a redeemed access token covering them is kept for the first one. */
  silentScopes: readonly string[]
  authority: ResolvedAuthority
  clients: MsalClients
  idTokens: IdTokenValidator
  tokenCaches: TokenCacheStore
  memo: AccessTokenMemo
}

export interface SignIn {
  begin(options?: BeginSignInOptions): Promise<{ url: string; record: SignInRecord }>
  complete(
    record: SignInRecord,
    query: Record<string, string>,
    partition: string,
    onExchange?: TokenExchangeObserver,
  ): Promise<SignedInUser>
}

const random = () => randomBytes(32).toString('base64url') // 256 bits

export function createSignIn(parts: SignInParts): SignIn {
  return {
    begin: (options) => beginSignIn(parts, options),
    complete: (record, query, partition, onExchange) =>
      completeSignIn(parts, record, query, partition, onExchange),
  }
}

/** A fresh state, nonce and PKCE verifier (256 bits each), and the authorize URL that carries them. */
async function beginSignIn(
  parts: SignInParts,
  options: BeginSignInOptions = {},
): Promise<{ url: string; record: SignInRecord }> {
  const record: SignInRecord = {
    state: random(),
    nonce: random(),
    codeVerifier: random(),
    createdAt: Date.now(),
  }
  const codeChallenge = createHash('sha256').update(record.codeVerifier).digest('base64url')
  try {
    const url = await (
      await parts.clients.forUrls()
    ).getAuthCodeUrl({
      scopes: [...parts.scopes],
      redirectUri: parts.redirectUri,
      state: record.state,
      nonce: record.nonce,
      codeChallenge,
      codeChallengeMethod: 'S256',
      responseMode: 'query',
      prompt: options.prompt,
      loginHint: options.loginHint,
    })
    return { url, record }
  } catch (error) {
    return mapMsalError(error, 'code')
  }
}

/** The callback checked, the code redeemed, the id_token validated, then (only then) the partition written. */
async function completeSignIn(
  parts: SignInParts,
  record: SignInRecord,
  query: Record<string, string>,
  partition: string,
  onExchange?: TokenExchangeObserver,
): Promise<SignedInUser> {
  const { memo } = parts
  checkCallback(record, query, parts.authority)
  const begun = memo.begin()
  const { cca } = await parts.clients.create({ onExchange })
  let result: AuthenticationResult | null = null
  try {
    result = await cca.acquireTokenByCode(
      {
        code: query.code!,
        redirectUri: parts.redirectUri,
        scopes: [...parts.scopes],
        codeVerifier: record.codeVerifier,
        state: record.state,
        nonce: record.nonce,
      },
      { code: query.code, state: query.state, client_info: query.client_info },
    )
  } catch (error) {
    mapMsalError(error, 'code')
  }
  if (!result?.idToken || !result.account)
    throw new AuthError('ERR_AUTH_ID_TOKEN_INVALID', {
      message: 'The token response carries no ID token',
    })
  const claims = await parts.idTokens.validate(result.idToken, { nonce: record.nonce })
  const homeAccountId = result.account.homeAccountId
  const serialized = cca.getTokenCache().serialize()
  if (accountsIn(serialized).some((account) => account !== homeAccountId))
    throw new AuthError('ERR_AUTH_ID_TOKEN_INVALID', {
      message: 'The token cache holds another account',
    })
  const sealed = await parts.tokenCaches.write(partition, serialized) // only after every check passed
  // The redeemed access token is the one msal's silent path would find in this cache when it covers the silent
  // scopes: kept, the first acquisition (the photo at sign-in) needs no decrypt, msal client or silent call.
  const granted = new Set(result.scopes.map((scope) => scope.toLowerCase()))
  if (result.accessToken && parts.silentScopes.every((scope) => granted.has(scope.toLowerCase())))
    memo.keep(
      partition,
      { accessToken: result.accessToken, homeAccountId, expiresOn: result.expiresOn },
      sealed,
      begun,
    )
  return { ...signedInUser(claims, homeAccountId, result.account.username), scopes: result.scopes }
}

/** The callback's checks before any token request: state, issuer (RFC 9207), an error answer, a code. */
function checkCallback(
  record: SignInRecord,
  query: Record<string, string>,
  authority: ResolvedAuthority,
): void {
  if (
    typeof query.state !== 'string' ||
    !safeEqual(query.state, record.state) ||
    Date.now() - record.createdAt > SIGN_IN_MAX_AGE_MS
  ) {
    throw new AuthError('ERR_AUTH_STATE_INVALID')
  }
  // RFC 9207 §2.4: error responses too; an error from another issuer is not shown as this one's.
  if (
    query.iss !== undefined
      ? !issuerMatches(authority.issuer, query.iss)
      : authority.metadata.authorization_response_iss_parameter_supported === true
  ) {
    throw new AuthError('ERR_AUTH_ISSUER_MISMATCH', {
      message: `The sign-in response names issuer ${query.iss ?? '(none)'}; expected ${authority.issuer}`,
    })
  }
  if (query.error) {
    const detail = query.error_description ? `: ${query.error_description.split(/\r?\n/)[0]}` : ''
    throw new AuthError('ERR_AUTH_IDP_ERROR', {
      message: `The identity provider answered ${query.error}${detail}`.slice(0, 500),
      idpError: query.error,
      aadsts: parseAadsts(query.error_description) ?? parseAadsts(query.error_uri),
      idpDescription: query.error_description,
    })
  }
  if (!query.code)
    throw new AuthError('ERR_AUTH_CODE_REJECTED', {
      message: 'The sign-in response carries no code',
    })
}

function signedInUser(
  claims: IdTokenClaims,
  homeAccountId: string,
  accountUsername: string,
): SignedInUser {
  const username = claims.preferred_username ?? accountUsername
  return {
    homeAccountId,
    oid: claims.oid ?? claims.sub!,
    tid: claims.tid!,
    name: claims.name ?? username,
    username,
    email: claims.email ?? (/^[^@\s]+@[^@\s]+$/.test(username) ? username : undefined),
  }
}
