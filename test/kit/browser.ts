/**
 * Browser: the tests' one HTTP user agent. Cookie jars per host (the app on 127.0.0.1 and the emulator on localhost
 * are two sites), redirects followed when asked, forms submitted, the emulator's sign-in pages filled in as Entra
 * renders them, and the app signed in to and read.
 */
import assert from 'node:assert/strict'
import { decodeHtml, readAppPage, type AppPage } from './app-page.ts'
import { CookieJar } from './cookie-jar.ts'

/** One response as the tests read it. */
export interface Page {
  status: number
  /** The URL requested. */
  url: string
  /** The Location header, resolved against `url`. */
  location?: string
  headers: Headers
  setCookies: string[]
  body: string
}

export interface BrowserOptions {
  /** The app's URL: a path such as `/send` is resolved against it; the app methods default to it. */
  base?: string
  /** Sent with every request (a spoofed X-Forwarded-For, an Accept-Language). */
  headers?: Record<string, string>
  /** Every response received is appended here (the leak scans read them). */
  received?: Page[]
}

export interface Credentials {
  userPrincipalName: string
  password: string
}

/** The buttons pressed at the emulator: "Stay signed in?" and the consent page. */
export interface EmulatorChoices {
  kmsi?: 'yes' | 'no'
  consent?: 'accept' | 'cancel'
}

export interface RequestOptions extends Omit<RequestInit, 'headers' | 'redirect'> {
  headers?: Record<string, string>
}

/** A file of a multipart send form. */
export interface UploadFile {
  name: string
  type?: string
  bytes: Uint8Array
}

/** What GET /connect and the emulator's pages gave: the callback URL is not visited yet. */
export interface StartedSignIn {
  connect: Page
  authorizeUrl: string
  callbackUrl: string
}

export class Browser {
  readonly #base: string | undefined
  readonly #headers: Record<string, string>
  readonly #received: Page[] | undefined
  readonly #jars = new Map<string, CookieJar>()

  constructor(options: BrowserOptions = {}) {
    this.#base = options.base
    this.#headers = options.headers ?? {}
    this.#received = options.received
  }

  /** The cookies of a URL's host (ports do not separate cookies); the app's by default. */
  jar(url = this.#appUrl()): CookieJar {
    const host = new URL(url).hostname
    let jar = this.#jars.get(host)
    if (!jar) this.#jars.set(host, (jar = new CookieJar()))
    return jar
  }

  cookie(url: string, name: string): string | undefined {
    return this.jar(url).cookies.get(name)
  }

  setCookie(url: string, name: string, value: string): void {
    this.jar(url).cookies.set(name, value)
  }

  /** The Cookie header this browser sends to a URL's host; the app's by default. */
  cookieHeader(url?: string): string {
    return this.jar(url).header()
  }

  /** One request, redirects not followed; cookies sent and kept. */
  async request(target: string, init: RequestOptions = {}): Promise<Page> {
    const url = this.#resolve(target)
    const jar = this.jar(url)
    const cookie = jar.header()
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...this.#headers, ...(cookie ? { cookie } : {}), ...init.headers },
    })
    const setCookies = response.headers.getSetCookie()
    jar.take(setCookies)
    const location = response.headers.get('location') ?? undefined
    const page: Page = {
      status: response.status,
      url,
      location: location && new URL(location, url).toString(),
      headers: response.headers,
      setCookies,
      body: await response.text(),
    }
    this.#received?.push(page)
    return page
  }

  get(target: string): Promise<Page> {
    return this.request(target)
  }

  /** POST urlencoded fields. */
  post(target: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
    return this.request(target, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(fields).toString(),
    })
  }

  /** POST multipart/form-data, as the send form with files does (the files as `attachments`). */
  postMultipart(target: string, fields: Record<string, string>, files: UploadFile[]) {
    const form = new FormData()
    for (const [name, value] of Object.entries(fields)) form.append(name, value)
    for (const file of files) {
      const bytes = file.bytes as Uint8Array<ArrayBuffer>
      form.append('attachments', new Blob([bytes], file.type ? { type: file.type } : {}), file.name)
    }
    return this.request(target, { method: 'POST', body: form })
  }

  /** GET, following redirects while they stay on the origin of `target`. */
  async open(target: string): Promise<Page> {
    const origin = new URL(this.#resolve(target)).origin
    let page = await this.request(target)
    while (page.location && new URL(page.location).origin === origin)
      page = await this.request(page.location)
    return page
  }

  /** Submits the page's first POST form: its hidden fields plus `fields`; follows redirects on the form's origin. */
  async submit(page: Page, fields: Record<string, string>): Promise<Page> {
    const form = /<form[^>]*method="post"[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(
      page.body,
    )
    if (!form) throw new Error(`No form on the page:\n${page.body.slice(0, 2000)}`)
    const values: Record<string, string> = {}
    for (const input of form[2]!.matchAll(/<input[^>]*type="hidden"[^>]*>/gi)) {
      const name = /name="([^"]*)"/.exec(input[0])?.[1]
      if (name) values[decodeHtml(name)] = decodeHtml(/value="([^"]*)"/.exec(input[0])?.[1] ?? '')
    }
    const action = new URL(decodeHtml(form[1]!), page.url).toString()
    const next = await this.post(action, { ...values, ...fields })
    return next.location && new URL(next.location).origin === new URL(action).origin
      ? this.open(next.location)
      : next
  }

  /** The page's first heading, as text. */
  heading(page: Page): string {
    return decodeHtml(/<h1[^>]*>([^<]*)</.exec(page.body)?.[1] ?? '')
  }

  /**
   * At the emulator: user name, password, "Stay signed in?", consent — each when shown, once, by Entra's form fields
   * (`loginfmt`, `passwd`, `kmsi`, `consent`); returns the response that leaves the emulator (or the page it stopped on).
   */
  async signInAtEmulator(
    authorizeUrl: string,
    user: Credentials,
    choices: EmulatorChoices = {},
  ): Promise<Page> {
    const steps: [string, Record<string, string>][] = [
      ['email', { loginfmt: user.userPrincipalName }],
      ['password', { passwd: user.password }],
      ['kmsi', { kmsi: choices.kmsi ?? 'yes' }],
      ['consent', { consent: choices.consent ?? 'accept' }],
    ]
    let page = await this.open(authorizeUrl)
    for (const [step, fields] of steps)
      if (page.body.includes(`name="step" value="${step}"`)) page = await this.submit(page, fields)
    return page
  }

  /**
   * GET /connect on `base`, then the emulator's pages; the callback is not visited yet. `replyTo`: where the emulator
   * must send the browser back (the app's public URL; `base` by default).
   */
  async startSignIn(
    user: Credentials,
    base = this.#appUrl(),
    replyTo = base,
  ): Promise<StartedSignIn> {
    const connect = await this.request(`${base}/connect`)
    if (connect.status !== 302 || !connect.location)
      throw new Error(`GET /connect answered ${connect.status}`)
    const left = await this.signInAtEmulator(connect.location, user)
    if (!left.location?.startsWith(replyTo))
      throw new Error(
        `The emulator did not send the browser back:\n${left.status} ${left.location}\n${left.body.slice(0, 1500)}`,
      )
    return { connect, authorizeUrl: connect.location, callbackUrl: left.location }
  }

  /** The whole sign-in; the callback's answer (303 to / on success). */
  async signIn(user: Credentials, base = this.#appUrl(), replyTo = base): Promise<Page> {
    const { callbackUrl } = await this.startSignIn(user, base, replyTo)
    return this.request(callbackUrl)
  }

  /** Signs in and lands on the home page, asserting each step; the home page as read. */
  async signInHome(user: Credentials, base = this.#appUrl(), replyTo = base): Promise<AppPage> {
    const callback = await this.signIn(user, base, replyTo)
    assert.equal(
      callback.status,
      303,
      `callback → ${callback.status}: ${callback.body.slice(0, 500)}`,
    )
    const home = await this.home(base)
    assert.ok(home.signedIn, 'signed in')
    return home
  }

  /** GET / (it must answer 200), read. */
  async home(base = this.#appUrl()): Promise<AppPage> {
    const page = await this.request(`${base}/`)
    assert.equal(page.status, 200, `GET / → ${page.status}: ${page.body.slice(0, 300)}`)
    return readAppPage(page.body)
  }

  /** Signed in? GET / answers 200 with the send form. */
  async isSignedIn(base = this.#appUrl()): Promise<boolean> {
    const page = await this.request(`${base}/`)
    return page.status === 200 && page.body.includes('action="/send"')
  }

  /** The signed-in page's hidden tokens (CSRF, one-time form); throws when the page has none. */
  async formTokens(base = this.#appUrl()): Promise<{ csrf: string; form: string; page: Page }> {
    const page = await this.request(`${base}/`)
    const { csrf, formToken } = readAppPage(page.body)
    if (!csrf || !formToken)
      throw new Error(`Not signed in (${page.status}):\n${page.body.slice(0, 800)}`)
    return { csrf, form: formToken, page }
  }

  /**
   * POST /send urlencoded, as a script could: fresh tokens unless both are given; `fields` over the defaults
   * (text, normal importance, subject "Hello", body "Hi").
   */
  async postSend(
    fields: Record<string, string>,
    options: { base?: string; headers?: Record<string, string> } = {},
  ): Promise<Page> {
    const base = options.base ?? this.#appUrl()
    const tokens =
      fields._csrf && fields._form
        ? { csrf: fields._csrf, form: fields._form }
        : await this.formTokens(base)
    const defaults = { format: 'text', importance: 'normal', subject: 'Hello', body: 'Hi' }
    const all = { _csrf: tokens.csrf, _form: tokens.form, ...defaults, ...fields }
    return this.post(`${base}/send`, all, options.headers)
  }

  /** The send form's fields as the page submits them: fresh tokens, text, normal, saved to Sent Items; `fields` over. */
  async sendFields(fields: Record<string, string>, base = this.#appUrl()) {
    const page = await this.home(base)
    assert.ok(page.csrf && page.formToken, 'the send form carries its tokens')
    const defaults = { format: 'text', importance: 'normal', saveToSentItems: 'on' }
    return { _csrf: page.csrf, _form: page.formToken, ...defaults, ...fields }
  }

  /** Sends from the page as a user does, then follows the 303 and reads the banner and the form as given back. */
  async sendFromPage(fields: Record<string, string>, base = this.#appUrl()) {
    const response = await this.post(`${base}/send`, await this.sendFields(fields, base))
    if (response.status !== 303) return { response, page: readAppPage(response.body) }
    assert.equal(response.headers.get('location'), '/')
    return { response, page: await this.home(base) }
  }

  /** Polls /readyz until it answers 200; how long that took. */
  async waitReady(limitMs = 10_000, base = this.#appUrl()): Promise<number> {
    const started = Date.now()
    for (;;) {
      const status = await this.request(`${base}/readyz`).then(
        (page) => page.status,
        () => 0,
      )
      if (status === 200) return Date.now() - started
      if (Date.now() - started > limitMs)
        throw new Error(`not ready after ${limitMs} ms (last ${status})`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  #appUrl(): string {
    if (!this.#base) throw new Error('This browser has no app URL: pass `base`')
    return this.#base
  }

  #resolve(target: string): string {
    return /^https?:/.test(target) ? target : new URL(target, this.#appUrl()).toString()
  }
}
