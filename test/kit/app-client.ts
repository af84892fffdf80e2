/** An HTTP client with a cookie jar, as a browser would drive the app: sign in through the emulator, send, read banners. */
import assert from 'node:assert/strict'
import { createBrowser, signIn as signInAtEmulator } from './emulator-browser.ts'
import { Jar } from './web-app.ts'
import type { EmulatorHandle } from './reliability-system.ts'

export interface Page {
  status: number
  location: string | undefined
  headers: Headers
  body: string
}

export interface Banner {
  kind: 'success' | 'error' | 'warning'
  text: string
}

const decode = (text: string) =>
  text
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')

/** Reads what the page shows: banner, hidden tokens, the form's fields as rendered. */
export function readPage(body: string) {
  const hidden = (name: string) => {
    const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(body)
    return match ? decode(match[1]!) : undefined
  }
  const banner = /<div class="banner banner--(success|error|warning)"[^>]*>([\s\S]*?)<\/div>/.exec(
    body,
  )
  const input = (name: string) => {
    const match = new RegExp(`<input id="f-${name}" name="${name}"[^>]*value="([^"]*)"`).exec(body)
    return match ? decode(match[1]!) : undefined
  }
  const textarea = /<textarea id="f-body" name="body"[^>]*>([\s\S]*?)<\/textarea>/.exec(body)
  return {
    csrf: hidden('_csrf'),
    formToken: hidden('_form'),
    signedIn: /<h1 id="hi"/.test(body),
    banner: banner
      ? ({
          kind: banner[1] as Banner['kind'],
          text: decode(
            banner[2]!
              .replace(/<[^>]+>/g, ' ')
              .replace(/\s+/g, ' ')
              .trim(),
          ),
        } satisfies Banner)
      : undefined,
    form: {
      to: input('to'),
      subject: input('subject'),
      body: textarea ? decode(textarea[1]!) : undefined,
    },
  }
}

export class AppClient {
  readonly jar = new Jar()
  readonly cookies = this.jar.cookies
  base: string

  constructor(base: string) {
    this.base = base
  }

  cookieHeader(): string {
    return this.jar.header()
  }

  async request(path: string, init: RequestInit & { base?: string } = {}): Promise<Page> {
    const url = path.startsWith('http') ? path : `${init.base ?? this.base}${path}`
    const cookie = this.cookieHeader()
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(init.headers as Record<string, string> | undefined),
      },
    })
    this.jar.take(response.headers.getSetCookie())
    const location = response.headers.get('location') ?? undefined
    return {
      status: response.status,
      location,
      headers: response.headers,
      body: await response.text(),
    }
  }

  get(path: string, base?: string): Promise<Page> {
    return this.request(path, { base })
  }

  post(path: string, fields: Record<string, string>, base?: string): Promise<Page> {
    return this.request(path, {
      base,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    })
  }

  /** POST as multipart/form-data (a browser's send form with files). */
  postMultipart(
    path: string,
    fields: Record<string, string>,
    files: { name: string; type: string; bytes: Uint8Array }[],
    base?: string,
  ): Promise<Page> {
    const form = new FormData()
    for (const [name, value] of Object.entries(fields)) form.append(name, value)
    for (const file of files)
      form.append(
        'attachments',
        new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.type }),
        file.name,
      )
    return this.request(path, { base, method: 'POST', body: form })
  }

  /** GET / and read it. */
  async home(base?: string) {
    const page = await this.get('/', base)
    assert.equal(page.status, 200, `GET / → ${page.status}: ${page.body.slice(0, 300)}`)
    return readPage(page.body)
  }

  /** Polls /readyz until it answers 200; returns how long that took. */
  async waitReady(limitMs = 10_000, base?: string): Promise<number> {
    const started = Date.now()
    for (;;) {
      const status = await this.get('/readyz', base).then(
        (page) => page.status,
        () => 0,
      )
      if (status === 200) return Date.now() - started
      if (Date.now() - started > limitMs)
        throw new Error(`not ready after ${limitMs} ms (last ${status})`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  /** Sign in through the emulator's pages as `user`; ends signed in on the home page. */
  async signIn(
    emulator: EmulatorHandle,
    user: { userPrincipalName: string; password: string },
    base?: string,
  ): Promise<ReturnType<typeof readPage>> {
    const start = await this.get('/connect', base)
    assert.equal(start.status, 302, `GET /connect → ${start.status}`)
    const idp = createBrowser(emulator.url)
    const left = await signInAtEmulator(idp, start.location!, user)
    assert.ok(
      left.location,
      `the emulator did not redirect back: ${left.status} ${left.body.slice(0, 500)}`,
    )
    const callback = await this.get(left.location, base)
    assert.equal(
      callback.status,
      303,
      `callback → ${callback.status}: ${callback.body.slice(0, 500)}`,
    )
    const home = await this.home(base)
    assert.ok(home.signedIn, 'signed in')
    return home
  }

  /** The fields of one send, with fresh tokens from the page. */
  async sendFields(fields: Record<string, string>, base?: string): Promise<Record<string, string>> {
    const page = await this.home(base)
    assert.ok(page.csrf && page.formToken, 'the send form carries its tokens')
    return {
      _csrf: page.csrf,
      _form: page.formToken,
      format: 'text',
      importance: 'normal',
      saveToSentItems: 'on',
      ...fields,
    }
  }

  /** POST /send then follow the 303 and read the banner and the form as given back. */
  async send(fields: Record<string, string>, base?: string) {
    const all = await this.sendFields(fields, base)
    const response = await this.post('/send', all, base)
    if (response.status !== 303) return { response, page: readPage(response.body) }
    assert.equal(response.location, '/')
    return { response, page: await this.home(base) }
  }
}
