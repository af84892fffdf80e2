/** A minimal browser for flows: node:http with keep-alive, a cookie jar per host, manual redirects, form posts. */
import { Agent, request as httpRequest } from 'node:http'

export interface Page {
  url: string
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

export interface RequestOptions {
  method?: string
  form?: Record<string, string>
  headers?: Record<string, string>
}

const agents = new Map<string, Agent>()

/** One keep-alive agent per local address: flows from 127.0.0.x look like different clients to rate limits. */
function agentFor(localAddress?: string): Agent {
  let agent = agents.get(localAddress ?? '')
  if (!agent)
    agents.set(
      localAddress ?? '',
      (agent = new Agent({ keepAlive: true, maxSockets: 256, localAddress })),
    )
  return agent
}

export class Browser {
  readonly jar = new Map<string, Map<string, string>>()
  private readonly localAddress?: string

  /** `localAddress` (127.0.0.x) is used for requests to 127.0.0.1 only; other hosts get the default. */
  constructor(options: { localAddress?: string } = {}) {
    this.localAddress = options.localAddress
  }

  cookieHeader(url: string): string {
    const cookies = this.jar.get(new URL(url).hostname) ?? new Map<string, string>()
    return [...cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  async request(url: string, options: RequestOptions = {}): Promise<Page> {
    const body = options.form ? new URLSearchParams(options.form).toString() : undefined
    const headers: Record<string, string> = { accept: 'text/html', ...options.headers }
    const cookie = this.cookieHeader(url)
    if (cookie) headers.cookie = cookie
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded'
    const method = options.method ?? (body === undefined ? 'GET' : 'POST')
    const agent = agentFor(new URL(url).hostname === '127.0.0.1' ? this.localAddress : undefined)
    const page = await send(agent, url, method, headers, body)
    this.store(url, page.headers['set-cookie'])
    return page
  }

  /** Requests, then follows redirects (GET) while `keepGoing` accepts the next location. */
  async follow(
    url: string,
    options: RequestOptions = {},
    keepGoing = (_location: string) => true,
  ): Promise<Page> {
    let page = await this.request(url, options)
    for (let hops = 0; hops < 10 && isRedirect(page.status); hops++) {
      const location = new URL(String(page.headers.location), page.url).toString()
      if (!keepGoing(location)) break
      page = await this.request(location)
    }
    return page
  }

  private store(url: string, setCookie: string | string[] | undefined) {
    const host = new URL(url).hostname
    const cookies = this.jar.get(host) ?? new Map<string, string>()
    this.jar.set(host, cookies)
    for (const line of [setCookie ?? []].flat()) {
      const [pair, ...attributes] = line.split(';')
      const at = pair.indexOf('=')
      const name = pair.slice(0, at).trim()
      const expired = attributes.some((attribute) => /^\s*max-age=(0|-)/i.test(attribute))
      if (expired) cookies.delete(name)
      else cookies.set(name, pair.slice(at + 1).trim())
    }
  }
}

export function isRedirect(status: number): boolean {
  return status >= 300 && status < 400
}

function send(
  agent: Agent,
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Page> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method, headers, agent }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () =>
        resolve({
          url,
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      )
      response.on('error', reject)
    })
    request.setTimeout(30_000, () => request.destroy(new Error(`timeout: ${method} ${url}`)))
    request.on('error', reject)
    request.end(body)
  })
}

/** The fields a browser would submit for a form: its inputs, plus the clicked button's name/value. */
export function readForm(
  html: string,
  pick?: (form: string) => boolean,
): { action: string; fields: Record<string, string> } | undefined {
  const forms = [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)]
  const chosen = forms.find((form) => (pick ? pick(form[0]) : true))
  if (!chosen) return undefined
  const fields: Record<string, string> = {}
  for (const input of chosen[2].matchAll(/<input\b([^>]*)>/gi)) {
    const name = attribute(input[1], 'name')
    const type = (attribute(input[1], 'type') ?? 'text').toLowerCase()
    if (!name || type === 'submit' || type === 'button') continue
    if ((type === 'checkbox' || type === 'radio') && !/\bchecked\b/i.test(input[1])) continue
    fields[name] = decodeEntities(attribute(input[1], 'value') ?? '')
  }
  return { action: decodeEntities(attribute(chosen[1], 'action') ?? ''), fields }
}

export function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag)
  return match ? (match[1] ?? match[2] ?? match[3]) : undefined
}

export function decodeEntities(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#x2F;|&#47;/g, '/')
    .replace(/&#x3D;|&#61;/g, '=')
    .replace(/&amp;/g, '&')
}
