/** CookieJar: one site's cookies as a browser keeps them (Set-Cookie lines in, a Cookie header out); liveCookies. */
export class CookieJar {
  readonly cookies = new Map<string, string>()

  /** The Cookie header to send (empty when the jar is empty). */
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  /** Keeps each Set-Cookie line's value; an expired or empty one removes the cookie. */
  take(setCookie: string | string[] | undefined): void {
    for (const line of [setCookie ?? []].flat()) {
      const [pair = '', ...attributes] = line.split(';')
      const index = pair.indexOf('=')
      const name = pair.slice(0, index).trim()
      const value = pair.slice(index + 1).trim()
      if (isExpired(attributes) || !value) this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
  }
}

/** Max-Age=0, or an Expires at the epoch: how a server deletes a cookie. */
function isExpired(attributes: string[]): boolean {
  return attributes.some(
    (attribute) =>
      /^\s*expires=thu, 01 jan 1970/i.test(attribute) || /^\s*max-age=0\s*$/i.test(attribute),
  )
}

/** The Set-Cookie lines that set `name` to a live value (not the ones that delete it). */
export function liveCookies(setCookies: string[], name: string): string[] {
  return setCookies.filter(
    (line) => line.startsWith(`${name}=`) && !/max-age=0|expires=thu, 01 jan 1970/i.test(line),
  )
}
