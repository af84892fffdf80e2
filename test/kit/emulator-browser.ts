/** Test kit: a plain HTTP "browser" with a cookie jar that follows the emulator's redirects and submits its forms. */
export interface PageResponse {
  status: number
  url: string
  location?: string
  headers: Headers
  body: string
}

const decode = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')

export function createBrowser(origin: string, headers: Record<string, string> = {}) {
  const jar = new Map<string, string>()
  async function request(url: string, init: RequestInit = {}): Promise<PageResponse> {
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ')
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: {
        ...headers,
        ...(cookie ? { cookie } : {}),
        ...(init.headers as Record<string, string>),
      },
    })
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';')
      const [name, ...rest] = pair!.split('=')
      const expired = attributes.some((attribute) =>
        /max-age=0|expires=thu, 01 jan 1970/i.test(attribute.trim()),
      )
      if (expired) jar.delete(name!.trim())
      else jar.set(name!.trim(), rest.join('='))
    }
    const location = response.headers.get('location') ?? undefined
    return {
      status: response.status,
      url,
      location: location && new URL(location, url).toString(),
      headers: response.headers,
      body: await response.text(),
    }
  }
  /** GET, following redirects that stay on the emulator; stops at the first one leaving it. */
  async function open(url: string): Promise<PageResponse> {
    let page = await request(url)
    while (page.location && page.location.startsWith(origin)) page = await request(page.location)
    return page
  }
  /** Submits the page's first POST form with its hidden fields plus `fields`. */
  async function submit(page: PageResponse, fields: Record<string, string>): Promise<PageResponse> {
    const form = /<form[^>]*method="post"[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(
      page.body,
    )
    if (!form) throw new Error(`No form on the page:\n${page.body.slice(0, 2000)}`)
    const values: Record<string, string> = {}
    for (const input of form[2]!.matchAll(/<input[^>]*type="hidden"[^>]*>/gi)) {
      const name = /name="([^"]*)"/.exec(input[0])?.[1]
      const value = /value="([^"]*)"/.exec(input[0])?.[1] ?? ''
      if (name) values[decode(name)] = decode(value)
    }
    const action = new URL(decode(form[1]!), page.url).toString()
    const next = await request(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...values, ...fields }).toString(),
    })
    return next.location?.startsWith(origin) ? open(next.location) : next
  }
  const heading = (page: PageResponse) => decode(/<h1[^>]*>([^<]*)</.exec(page.body)?.[1] ?? '')
  return { request, open, submit, heading, jar }
}

/** Drives email → password → stay signed in → consent (when shown); returns the response that leaves the emulator. */
export async function signIn(
  browser: ReturnType<typeof createBrowser>,
  url: string,
  user: { userPrincipalName: string; password: string },
  options: { kmsi?: 'yes' | 'no'; consent?: 'accept' | 'cancel' } = {},
) {
  let page = await browser.open(url)
  if (page.body.includes('name="step" value="email"'))
    page = await browser.submit(page, { loginfmt: user.userPrincipalName })
  if (page.body.includes('name="step" value="password"'))
    page = await browser.submit(page, { passwd: user.password })
  if (page.body.includes('name="step" value="kmsi"'))
    page = await browser.submit(page, { kmsi: options.kmsi ?? 'yes' })
  if (page.body.includes('name="step" value="consent"'))
    page = await browser.submit(page, { consent: options.consent ?? 'accept' })
  return page
}
