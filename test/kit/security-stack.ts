/**
 * Black-box harness for the security suites: the emulator on localhost, app instances on 127.0.0.1 (two sites), a
 * canary app registration, captured log lines, every token the emulator hands out, and HTTP clients with cookie jars.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/app.ts'
import { loadConfig, type Config } from '../../src/core/config.ts'
import { createLogger } from '../../src/core/logger.ts'
import { createHttpFetch } from '../../src/core/http-fetch.ts'
import type { Store } from '../../src/core/store/store.ts'
import type { ConnectApp } from '../../src/web/app.ts'
import { composeApp, emulatorSettings } from '../../src/cli/compose.ts'
import { freePort } from './stack.ts'

export interface JournalEntry {
  seq: number
  method: string
  path: string
  query: Record<string, string>
  headers: Record<string, string>
  body: unknown
}

export interface SecurityEmulator {
  emulator: Emulator
  url: string
  /** The canary registration every app instance uses: its secret is `CANARY-SECRET-…`. */
  canary: { clientId: string; clientSecret: string }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON from the control API, shaped per call
  control(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>
  /** Registers an app instance's reply URL and post-logout URL on the canary app. */
  registerInstance(publicUrl: string): Promise<void>
  mark(): Promise<number>
  journal(since: number, filter?: { method?: string; path?: string }): Promise<JournalEntry[]>
  /** Token requests (POST …/oauth2/v2.0/token) since a mark. */
  tokenRequests(since: number): Promise<JournalEntry[]>
  /** sendMail (and draft send) requests since a mark. */
  sends(since: number): Promise<JournalEntry[]>
  /** Every Graph request since a mark. */
  graphCalls(since: number): Promise<JournalEntry[]>
  close(): Promise<void>
}

export async function startSecurityEmulator(
  options: EmulatorOptions = {},
): Promise<SecurityEmulator> {
  const emulator = await buildEmulator({ logger: false, ...options })
  await emulator.listen({ port: 0, host: 'localhost' })
  const control: SecurityEmulator['control'] = async (method, path, body) => {
    const response = await fetch(`${emulator.url}/_emulator/${path}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    })
    const text = await response.text()
    return { status: response.status, body: text ? JSON.parse(text) : undefined }
  }
  const canary = {
    clientId: randomUUID(),
    clientSecret: `CANARY-SECRET-${randomBytes(12).toString('base64url')}`,
  }
  const redirectUris: string[] = []
  const postLogoutRedirectUris: string[] = []
  const secret = {
    id: randomUUID(),
    value: canary.clientSecret,
    expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
  }
  const register = async () => {
    const created = await control('POST', 'apps', {
      clientId: canary.clientId,
      displayName: 'Graph Connect (security suite)',
      secrets: [secret],
      redirectUris,
      postLogoutRedirectUris,
    })
    if (created.status !== 201)
      throw new Error(`cannot register the canary app: ${JSON.stringify(created.body)}`)
  }
  await register()
  const journal: SecurityEmulator['journal'] = async (since, filter = {}) => {
    const query = new URLSearchParams({
      since: String(since),
      ...(filter.method ? { method: filter.method } : {}),
      ...(filter.path ? { path: filter.path } : {}),
    })
    const answer = await control('GET', `journal?${query}`)
    return answer.body.entries as JournalEntry[]
  }
  return {
    emulator,
    url: emulator.url,
    canary,
    control,
    async registerInstance(publicUrl) {
      redirectUris.push(`${publicUrl}/connect/get_token/`)
      postLogoutRedirectUris.push(`${publicUrl}/`)
      await register()
    },
    mark: async () => (await control('GET', 'mark')).body.seq as number,
    journal,
    tokenRequests: (since) => journal(since, { method: 'POST', path: '/oauth2/v2.0/token$' }),
    sends: async (since) =>
      (await journal(since, { method: 'POST' })).filter((entry) =>
        /\/(sendMail|send)$/.test(entry.path),
      ),
    graphCalls: async (since) =>
      (await journal(since)).filter((entry) => /^\/(v1\.0|beta)\//.test(entry.path)),
    close: () => emulator.close(),
  }
}

export interface AppInstance {
  app: ConnectApp
  config: Readonly<Config>
  store: Store
  url: string
  /** Every JSON line the app's logger wrote. */
  logs: string[]
  /** Every secret artifact seen on the wire between the app and the identity provider (code, tokens, secret). */
  artifacts: Set<string>
  close(): Promise<void>
}

export interface AppOptions {
  env?: Record<string, string>
  store?: 'sqlite' | 'redis'
  /** Shared by instances that must see the same Redis data. */
  redisKeyPrefix?: string
  /** 'https': PUBLIC_URL is https://127.0.0.1:<port> while the app listens on plain HTTP, as behind a TLS terminator. */
  publicScheme?: 'http' | 'https'
}

/** One app instance on 127.0.0.1:<free port>, registered on the emulator under the canary app. */
export async function startAppOn(
  emu: SecurityEmulator,
  options: AppOptions = {},
): Promise<AppInstance> {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const publicUrl = `${options.publicScheme ?? 'http'}://127.0.0.1:${port}`
  await emu.registerInstance(publicUrl)
  const dir = mkdtempSync(join(tmpdir(), 'graph-connect-security-'))
  const storeEnv: Record<string, string> =
    options.store === 'redis'
      ? {
          STORE: 'redis',
          REDIS_URL: 'redis://127.0.0.1:6379',
          REDIS_KEY_PREFIX: options.redisKeyPrefix ?? `gc-security-${randomUUID()}:`,
        }
      : { STORE: 'sqlite', SQLITE_PATH: join(dir, 'app.sqlite') }
  const config = loadConfig({
    ...emulatorSettings(emu.emulator, { PUBLIC_URL: publicUrl, LOG_LEVEL: 'trace', ...storeEnv }),
    CLIENT_ID: emu.canary.clientId,
    CLIENT_SECRET: emu.canary.clientSecret,
    ...options.env,
  })
  const logs: string[] = []
  const logger = createLogger(config, { write: (line: string) => void logs.push(line) })
  const artifacts = new Set<string>([emu.canary.clientSecret])
  const composed = await composeApp(config, { logger, fetch: tappingFetch(artifacts) })
  const { app, store } = composed
  await app.listen({ host: '127.0.0.1', port })
  return {
    app,
    config,
    store,
    url,
    logs,
    artifacts,
    async close() {
      await composed.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * The network `npm start` uses (core's httpFetch), tapped: notes the code and client secret it sends and the tokens
 * it receives from the token endpoint.
 */
function tappingFetch(artifacts: Set<string>, network = createHttpFetch()): typeof fetch {
  return async function tap(input, init) {
    const request = new Request(input, init)
    if (!/\/oauth2\/v2\.0\/token$/.test(new URL(request.url).pathname)) return network(input, init)
    const body = await request.clone().text()
    for (const name of ['code', 'client_secret', 'refresh_token', 'code_verifier']) {
      const value = new URLSearchParams(body).get(name)
      if (value) artifacts.add(value)
    }
    const response = await network(input, init)
    const json = (await response
      .clone()
      .json()
      .catch(() => ({}))) as Record<string, unknown>
    for (const name of ['access_token', 'refresh_token', 'id_token'])
      if (typeof json[name] === 'string') artifacts.add(json[name])
    return response
  }
}

export interface Page {
  status: number
  url: string
  location?: string
  headers: Headers
  setCookies: string[]
  body: string
}

/** Everything the clients received, for the leak scan (SE-10). */
export const received: Page[] = []

const decode = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')

/** A plain HTTP user agent: cookies per host (ports do not separate cookies), manual redirects. */
export function createClient(defaults: Record<string, string> = {}) {
  const jars = new Map<string, Map<string, string>>()
  const jar = (url: string) => {
    const host = new URL(url).hostname
    if (!jars.has(host)) jars.set(host, new Map())
    return jars.get(host)!
  }
  async function request(
    url: string,
    init: RequestInit & { headers?: Record<string, string> } = {},
  ): Promise<Page> {
    const cookies = [...jar(url)].map(([name, value]) => `${name}=${value}`).join('; ')
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...defaults, ...(cookies ? { cookie: cookies } : {}), ...init.headers },
    })
    const setCookies = response.headers.getSetCookie()
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(';')
      const [name, ...rest] = pair!.split('=')
      const gone = attributes.some((attribute) =>
        /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(attribute),
      )
      if (gone) jar(url).delete(name!.trim())
      else jar(url).set(name!.trim(), rest.join('='))
    }
    const location = response.headers.get('location') ?? undefined
    const page: Page = {
      status: response.status,
      url,
      location: location && new URL(location, url).toString(),
      headers: response.headers,
      setCookies,
      body: await response.text(),
    }
    received.push(page)
    return page
  }
  /** GET, following redirects while they stay on the same origin as `url`. */
  async function open(url: string): Promise<Page> {
    const origin = new URL(url).origin
    let page = await request(url)
    while (page.location && new URL(page.location).origin === origin)
      page = await request(page.location)
    return page
  }
  async function submit(page: Page, fields: Record<string, string>): Promise<Page> {
    const form = /<form[^>]*method="post"[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(
      page.body,
    )
    if (!form) throw new Error(`No form on the page:\n${page.body.slice(0, 2000)}`)
    const values: Record<string, string> = {}
    for (const input of form[2]!.matchAll(/<input[^>]*type="hidden"[^>]*>/gi)) {
      const name = /name="([^"]*)"/.exec(input[0])?.[1]
      if (name) values[decode(name)] = decode(/value="([^"]*)"/.exec(input[0])?.[1] ?? '')
    }
    const action = new URL(decode(form[1]!), page.url).toString()
    const next = await request(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...values, ...fields }).toString(),
    })
    return next.location && new URL(next.location).origin === new URL(action).origin
      ? open(next.location)
      : next
  }
  return {
    request,
    open,
    submit,
    cookie: (url: string, name: string) => jar(url).get(name),
    setCookie: (url: string, name: string, value: string) => void jar(url).set(name, value),
    dropCookie: (url: string, name: string) => void jar(url).delete(name),
  }
}
export type Client = ReturnType<typeof createClient>

export interface DemoUser {
  userPrincipalName: string
  password: string
  displayName?: string
}

/** At the emulator: e-mail, password, stay signed in, consent; returns the response that leaves it (to the app). */
export async function signInAtEmulator(
  client: Client,
  authorizeUrl: string,
  user: DemoUser,
): Promise<Page> {
  let page = await client.open(authorizeUrl)
  for (let step = 0; step < 6 && !page.location; step++) {
    if (page.body.includes('name="step" value="email"'))
      page = await client.submit(page, { loginfmt: user.userPrincipalName })
    else if (page.body.includes('name="step" value="password"'))
      page = await client.submit(page, { passwd: user.password })
    else if (page.body.includes('name="step" value="kmsi"'))
      page = await client.submit(page, { kmsi: 'no' })
    else if (page.body.includes('name="step" value="consent"'))
      page = await client.submit(page, { consent: 'accept' })
    else break
  }
  return page
}

/** GET /connect, sign in at the emulator; returns the authorize URL and the callback URL (not yet visited). */
export async function startSignIn(
  client: Client,
  appUrl: string,
  user: DemoUser,
): Promise<{ connect: Page; authorizeUrl: string; callbackUrl: string }> {
  const connect = await client.request(`${appUrl}/connect`)
  if (connect.status !== 302 || !connect.location)
    throw new Error(`GET /connect answered ${connect.status}`)
  const left = await signInAtEmulator(client, connect.location, user)
  if (!left.location?.startsWith(appUrl))
    throw new Error(
      `The emulator did not send the browser back:\n${left.status} ${left.location}\n${left.body.slice(0, 1500)}`,
    )
  return { connect, authorizeUrl: connect.location, callbackUrl: left.location }
}

/** The whole sign-in; returns the callback's response (303 to / on success). */
export async function signIn(client: Client, appUrl: string, user: DemoUser): Promise<Page> {
  const { callbackUrl } = await startSignIn(client, appUrl, user)
  return client.request(callbackUrl)
}

/** The signed-in page's hidden fields (CSRF token and one-time form token). */
export async function formTokens(
  client: Client,
  appUrl: string,
): Promise<{ csrf: string; form: string; page: Page }> {
  const page = await client.request(`${appUrl}/`)
  const csrf = /name="_csrf" value="([^"]*)"/.exec(page.body)?.[1]
  const form = /name="_form" value="([^"]*)"/.exec(page.body)?.[1]
  if (!csrf || !form) throw new Error(`Not signed in (${page.status}):\n${page.body.slice(0, 800)}`)
  return { csrf: decode(csrf), form: decode(form), page }
}

/** POST /send urlencoded with fresh tokens (unless given); the fields override the defaults. */
export async function send(
  client: Client,
  appUrl: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Page> {
  const tokens =
    fields._csrf && fields._form
      ? { csrf: fields._csrf, form: fields._form }
      : await formTokens(client, appUrl)
  const body = new URLSearchParams({
    _csrf: tokens.csrf,
    _form: tokens.form,
    format: 'text',
    importance: 'normal',
    subject: 'Hello',
    body: 'Hi',
    ...fields,
  })
  return client.request(`${appUrl}/send`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: body.toString(),
  })
}

/** Signed in? Reads GET / (the signed-in page has the send form). */
export async function isSignedIn(client: Client, appUrl: string): Promise<boolean> {
  const page = await client.request(`${appUrl}/`)
  return page.status === 200 && page.body.includes('action="/send"')
}

export const demoUser = (emu: SecurityEmulator, prefix: string): DemoUser => {
  const user = emu.emulator.demo.users.find((candidate) =>
    candidate.userPrincipalName.startsWith(prefix),
  )
  if (!user) throw new Error(`no demo user ${prefix}`)
  return user
}
