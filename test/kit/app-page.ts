/** readAppPage: what one of the app's pages shows (banner, hidden tokens, the send form as rendered); decodeHtml. */

export interface Banner {
  kind: 'success' | 'error' | 'warning'
  text: string
}

export interface AppPage {
  /** The CSRF token (hidden `_csrf`). */
  csrf: string | undefined
  /** The one-time form token (hidden `_form`). */
  formToken: string | undefined
  /** The signed-in page's greeting (`<h1 id="hi">`) is there. */
  signedIn: boolean
  banner: Banner | undefined
  /** The send form's fields as rendered (given back after a refused or unknown send). */
  form: {
    to: string | undefined
    subject: string | undefined
    body: string | undefined
  }
}

/** Undoes the HTML escaping of attribute values and text: named entities the pages use, and numeric ones. */
export function decodeHtml(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_, code: string) => String.fromCodePoint(parseInt(code, 16)))
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
}

/** Reads what the page shows: banner, hidden tokens, the form's fields as rendered. */
export function readAppPage(body: string): AppPage {
  const hidden = (name: string) => match(body, new RegExp(`name="${name}" value="([^"]*)"`))
  const input = (name: string) =>
    match(body, new RegExp(`<input id="f-${name}" name="${name}"[^>]*value="([^"]*)"`))
  return {
    csrf: hidden('_csrf'),
    formToken: hidden('_form'),
    signedIn: /<h1 id="hi"/.test(body),
    banner: readBanner(body),
    form: {
      to: input('to'),
      subject: input('subject'),
      body: match(body, /<textarea id="f-body" name="body"[^>]*>([\s\S]*?)<\/textarea>/),
    },
  }
}

function readBanner(body: string): Banner | undefined {
  const banner = /<div class="banner banner--(success|error|warning)"[^>]*>([\s\S]*?)<\/div>/.exec(
    body,
  )
  if (!banner) return undefined
  const text = banner[2]!
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  return { kind: banner[1] as Banner['kind'], text: decodeHtml(text) }
}

/** The first group of `pattern` in `body`, decoded; undefined when it does not match. */
function match(body: string, pattern: RegExp): string | undefined {
  const found = pattern.exec(body)
  return found ? decodeHtml(found[1]!) : undefined
}
