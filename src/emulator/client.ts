/** EmulatorClient: the emulator's typed facade over HTTP (endpoint URLs, journal, faults, mail, directory, tokens). */
import type { AccessTokenShape } from './control/token-routes.ts'
import type { FaultSpec, ScriptedFault } from './control/faults.ts'
import type { JournalEntry } from './control/journal.ts'
import type { MailboxMessage, MailboxSummary } from './control/mailbox-routes.ts'
import type { ThrottleLimits, ThrottleSetting } from './graph/throttle.ts'
import type { IdTokenShape } from './identity/jwt-signer.ts'
import type { DemoFixture } from './state/demo-fixture.ts'
import type { App, NewApp, NewUser, User } from './state/directory.ts'

export interface EmulatorClientOptions {
  /** Default: the global fetch. The in-process emulator's client answers through Fastify's inject(). */
  fetch?: typeof fetch
}

/** Which journal entries to read: since a mark, of a method, on a path (substring, or a RegExp). */
export interface JournalFilter {
  since?: number
  method?: string
  path?: string | RegExp
}

/**
 * Which refresh tokens to revoke: a user's and/or an app's, or every one with `{ all: true }` (never by omission);
 * `expire` makes them idle-expired instead.
 */
export type RefreshTokenFilter = (
  | { all: true; user?: never; clientId?: never }
  | { all?: never; /** Id or UPN. */ user: string; clientId?: string }
  | { all?: never; user?: string; clientId: string }
) & {
  /** true: AADSTS700082 (idle-expired) on the next use instead of AADSTS50173 (revoked). */
  expire?: boolean
}

/**
 * A consent: a user's, as the consent page would give it (refused for a permission only an administrator may grant,
 * unless the user is one), or an administrator's (`admin: true`) — delegated permissions (`scope`) for every user of the
 * tenant and/or application permissions (`roles`). `.default` names the app's configured permissions.
 */
export type ConsentGrant = UserConsent | AdminConsent

export interface UserConsent {
  /** Id or UPN. */
  user: string
  clientId: string
  /** Space-separated, short or URL form. */
  scope: string
  admin?: never
  roles?: never
}

export type AdminConsent = {
  admin: true
  clientId: string
  user?: never
} & (
  | { /** Delegated permissions, space-separated. */ scope: string; roles?: string[] }
  | { scope?: string; /** Application permissions (names, or `.default`). */ roles: string[] }
)

/** A recorded consent: `user` is the user's id, or `AllPrincipals` for an administrator's consent for everyone. */
export interface Consent {
  user: string
  clientId: string
  scope: string
}

/** A control API failure: its HTTP status and the `{ error: { code, message } }` it answered. */
export class EmulatorControlError extends Error {
  readonly status: number
  readonly code: string
  constructor(status: number, code: string, message: string) {
    super(`${code}: ${message}`)
    this.name = 'EmulatorControlError'
    this.status = status
    this.code = code
  }
}

/**
 * A running emulator, as a test (of this project or another) drives it: `new EmulatorClient('http://localhost:8001')`.
 * The in-process Emulator offers a ready one as `emulator.client`. Tenants default to `common` in the URL helpers.
 */
export class EmulatorClient {
  readonly #url: () => string
  readonly #fetch: typeof fetch

  /** `url` may be a function: the in-process client's base URL follows the emulator from before to after listen(). */
  constructor(url: string | URL | (() => string), options: EmulatorClientOptions = {}) {
    this.#url = typeof url === 'function' ? url : () => String(url)
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init))
  }

  /** The emulator's base URL, without trailing slash. */
  get url(): string {
    return this.#url().replace(/\/+$/, '')
  }

  // Endpoint URLs

  /** The authority an OAuth client is configured with, e.g. http://localhost:8001/{tenant}. */
  authorityUrl(tenant = 'common'): string {
    return `${this.url}/${tenant}`
  }

  /** The v2 OpenID configuration (well-known) document. */
  discoveryUrl(tenant = 'common'): string {
    return `${this.authorityUrl(tenant)}/v2.0/.well-known/openid-configuration`
  }

  /** The v2 issuer of a tenant's id tokens (`{tenantid}` for common and organizations). */
  issuerUrl(tenantId: string): string {
    return `${this.url}/${tenantId}/v2.0`
  }

  /** The authorize endpoint, with `params` as its query when given. */
  authorizeUrl(tenant = 'common', params?: Record<string, string>): string {
    const query = params ? `?${new URLSearchParams(params)}` : ''
    return `${this.authorityUrl(tenant)}/oauth2/v2.0/authorize${query}`
  }

  tokenUrl(tenant = 'common'): string {
    return `${this.authorityUrl(tenant)}/oauth2/v2.0/token`
  }

  deviceCodeUrl(tenant = 'common'): string {
    return `${this.authorityUrl(tenant)}/oauth2/v2.0/devicecode`
  }

  jwksUrl(tenant = 'common'): string {
    return `${this.authorityUrl(tenant)}/discovery/v2.0/keys`
  }

  logoutUrl(tenant = 'common'): string {
    return `${this.authorityUrl(tenant)}/oauth2/v2.0/logout`
  }

  /** Graph's base URL, e.g. http://localhost:8001/v1.0. */
  graphUrl(version: 'v1.0' | 'beta' = 'v1.0'): string {
    return `${this.url}/${version}`
  }

  /** The inbox viewer: its home page, or a mailbox's folder. */
  inboxUrl(mailbox?: string, folder = 'inbox'): string {
    return mailbox ? `${this.url}/inbox/${encodeURIComponent(mailbox)}/${folder}` : `${this.url}/`
  }

  // The control API (/_emulator/*)

  /** The shipped demo tenant, app registration (secret, certificate) and users with their passwords. */
  demo(): Promise<DemoFixture> {
    return this.#call('GET', '/demo')
  }

  /** The journal's last sequence number: take it before the step under test. */
  async mark(): Promise<number> {
    return (await this.#call<{ seq: number }>('GET', '/mark')).seq
  }

  /**
   * Requests received after `since`, oldest first; `path` filters here, on the client (substring or RegExp). Each entry
   * has its arrival `time` (ms), `durationMs`, the `mailbox` (user id) a Graph mailbox route acted on, and its `fault`.
   */
  async journal(filter: JournalFilter = {}): Promise<JournalEntry[]> {
    const query = new URLSearchParams({ since: String(filter.since ?? 0) })
    if (filter.method) query.set('method', filter.method)
    const { entries } = await this.#call<{ entries: JournalEntry[] }>('GET', `/journal?${query}`)
    const { path } = filter
    if (path === undefined) return entries
    return entries.filter((entry) =>
      typeof path === 'string' ? entry.path.includes(path) : path.test(entry.path),
    )
  }

  /**
   * Scripts a fault for the next matching requests (with `probability` and `seed`, a reproducible share of them);
   * answers it as stored.
   */
  addFault(spec: FaultSpec): Promise<ScriptedFault> {
    return this.#call('POST', '/faults', spec)
  }

  async listFaults(): Promise<ScriptedFault[]> {
    return (await this.#call<{ faults: ScriptedFault[] }>('GET', '/faults')).faults
  }

  clearFaults(): Promise<void> {
    return this.#call('DELETE', '/faults')
  }

  /** Every mailbox with its folders' counts; the last one is `external` (mail that left the tenant). */
  async mailboxes(): Promise<MailboxSummary[]> {
    return (await this.#call<{ mailboxes: MailboxSummary[] }>('GET', '/mailboxes')).mailboxes
  }

  /** A mailbox's messages (UPN, id, `external`, or an outside address), newest first; every folder by default. */
  async messages(mailbox: string, options: { folder?: string } = {}): Promise<MailboxMessage[]> {
    const query = options.folder ? `?folder=${encodeURIComponent(options.folder)}` : ''
    const path = `/mailboxes/${encodeURIComponent(mailbox)}/messages${query}`
    return (await this.#call<{ value: MailboxMessage[] }>('GET', path)).value
  }

  /** Adds (or replaces) a user; answers it without its password. */
  addUser(user: NewUser): Promise<Omit<User, 'password'>> {
    return this.#call('POST', '/users', user)
  }

  /** Adds (or replaces) an app registration. */
  addApp(app: NewApp): Promise<App> {
    return this.#call('POST', '/apps', app)
  }

  /** Registers one more redirect URI on an app; answers its redirect URIs. */
  async addRedirectUri(clientId: string, uri: string): Promise<string[]> {
    const path = `/apps/${encodeURIComponent(clientId)}/redirect-uris`
    return (await this.#call<{ redirectUris: string[] }>('POST', path, { uri })).redirectUris
  }

  /** Consents as the consent page would (ROPC cannot show one), or as an administrator (`admin: true`). */
  grantConsent(grant: ConsentGrant): Promise<void> {
    return this.#call('POST', '/consents', grant)
  }

  /** The consents recorded, of one app or of all. */
  async consents(clientId?: string): Promise<Consent[]> {
    const query = clientId ? `?clientId=${encodeURIComponent(clientId)}` : ''
    return (await this.#call<{ consents: Consent[] }>('GET', `/consents${query}`)).consents
  }

  /** An access token signed with the emulator's key, as its token endpoint would issue it. */
  async issueToken(shape: AccessTokenShape = {}): Promise<string> {
    return (await this.#call<{ accessToken: string }>('POST', '/tokens', shape)).accessToken
  }

  /** Spoils the next id_token once (security tests): another nonce (null: none), aud, iss or tid. */
  shapeNextIdToken(shape: IdTokenShape): Promise<void> {
    return this.#call('POST', '/tokens/next', shape)
  }

  /** Revokes (or idle-expires) the refresh tokens named (`{ all: true }`: every one); answers how many. */
  async revokeRefreshTokens(filter: RefreshTokenFilter): Promise<number> {
    const path = '/refresh-tokens/revoke'
    return (await this.#call<{ revoked: number }>('POST', path, filter)).revoked
  }

  /** Empties mailboxes, journal, faults, sign-in state and throttling counters; the directory back to fixtures. */
  reset(): Promise<void> {
    return this.#call('POST', '/reset')
  }

  /** The throttling limits in force, or false when off. */
  async throttling(): Promise<ThrottleLimits | false> {
    const answer = await this.#call<{ throttling: ThrottleLimits | false }>('GET', '/throttling')
    return answer.throttling
  }

  /** Turns throttling off (false) or sets limits (unset ones take Outlook's); the counters restart. */
  async configureThrottling(setting: ThrottleSetting): Promise<ThrottleLimits | false> {
    const answer = await this.#call<{ throttling: ThrottleLimits | false }>(
      'POST',
      '/throttling',
      setting,
    )
    return answer.throttling
  }

  /**
   * One control API call; a failure becomes an EmulatorControlError. Changes always carry a JSON body (`{}` when there
   * is nothing to say): the control API takes no other kind, so that no page of another site can make one.
   */
  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.#fetch(`${this.url}/_emulator${path}`, {
      method,
      ...(method === 'GET'
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) }),
    })
    const text = await response.text()
    if (!response.ok) throw controlError(response.status, text)
    return (text ? JSON.parse(text) : undefined) as T
  }
}

/** The control API's `{ error: { code, message } }`; any other answer (a proxy's, a 404 page) by its status. */
function controlError(status: number, text: string): EmulatorControlError {
  let error: { code?: unknown; message?: unknown } | undefined
  try {
    error = (JSON.parse(text) as { error?: typeof error }).error
  } catch {
    error = undefined
  }
  return typeof error === 'object' && typeof error.code === 'string'
    ? new EmulatorControlError(status, error.code, String(error.message))
    : new EmulatorControlError(status, `Http${status}`, text.slice(0, 500))
}
