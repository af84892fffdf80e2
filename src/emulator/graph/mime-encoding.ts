/**
 * The encodings of an Internet message: headerLine (folded, RFC 2047 encoded words where needed), mailbox (a display
 * name and address), quotedPrintable and base64Lines (RFC 2045), rfc5322Date and parameter (RFC 2231 for names).
 */

const CRLF = '\r\n'
/** RFC 5322's recommended line length; encoded words stay within RFC 2047's 75 characters. */
const LINE = 78
const QP_LINE = 76
const ENCODED_BYTES = 45
const PRINTABLE = /^[\x20-\x7e]*$/
const SPECIALS = /[()<>[\]:;@\\,."]/
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** No line breaks inside a header value: a stored value with CR or LF cannot add a header. */
const oneLine = (text: string) => text.replace(/[\r\n]+/g, ' ')

/** `Name: value`, non-ASCII words as encoded words, folded at spaces to lines of at most 78 characters. */
export function headerLine(name: string, value: string, encode = true): string {
  if (!value) return `${name}:`
  const words = oneLine(value).split(' ')
  const tokens = encode ? encodeWords(words) : words
  let line = `${name}:`
  const lines: string[] = []
  for (const token of tokens) {
    // A token too long for the field's first line starts the next one (Exchange folds a long Message-ID so).
    if (line.length + 1 + token.length > LINE && line !== '') {
      lines.push(line)
      line = ''
    }
    line += ` ${token}`
  }
  lines.push(line)
  return lines.join(CRLF)
}

/** Runs of words that are not printable ASCII become encoded words (`=?UTF-8?B?…?=`), each within 75 characters. */
function encodeWords(words: string[]): string[] {
  const out: string[] = []
  let run: string[] = []
  const flush = () => {
    if (run.length) out.push(...encodedWords(run.join(' ')))
    run = []
  }
  for (const word of words) {
    if (PRINTABLE.test(word) && !word.includes('=?')) {
      flush()
      out.push(word)
    } else run.push(word)
  }
  flush()
  return out
}

/** Text as B-encoded words of at most 45 bytes each, never splitting a character. */
export function encodedWords(text: string): string[] {
  const words: string[] = []
  let chunk = ''
  for (const char of text) {
    if (Buffer.byteLength(chunk + char) > ENCODED_BYTES) {
      words.push(`=?UTF-8?B?${Buffer.from(chunk).toString('base64')}?=`)
      chunk = ''
    }
    chunk += char
  }
  if (chunk || words.length === 0)
    words.push(`=?UTF-8?B?${Buffer.from(chunk).toString('base64')}?=`)
  return words
}

/** `"Display Name" <address>` (RFC 5322 name-addr); the bare address when there is no other name. */
export function mailbox(name: string, address: string): string {
  const shown = oneLine(name).trim()
  if (!shown || shown === address) return `<${address}>`
  if (!PRINTABLE.test(shown)) return `${encodedWords(shown).join(' ')} <${address}>`
  if (!SPECIALS.test(shown)) return `${shown} <${address}>`
  return `"${shown.replace(/["\\]/g, '\\$&')}" <${address}>`
}

/** A parameter such as `filename`: quoted when ASCII, RFC 2231 `filename*=UTF-8''…` otherwise. */
export function parameter(name: string, value: string): string {
  const clean = oneLine(value)
  if (PRINTABLE.test(clean)) return `${name}="${clean.replace(/["\\]/g, '\\$&')}"`
  const encoded = encodeURIComponent(clean).replace(
    /['()*!]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  )
  return `${name}*=UTF-8''${encoded}`
}

/** RFC 2045 quoted-printable of UTF-8 text: line breaks become CRLF, lines are soft-broken at 76 characters. */
export function quotedPrintable(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => softBreak(encodeLine(line)))
    .join(CRLF)
}

function encodeLine(line: string): string[] {
  const bytes = Buffer.from(line, 'utf8')
  return [...bytes].map((byte, index) => {
    const last = index === bytes.length - 1
    const literal =
      (byte >= 33 && byte <= 126 && byte !== 61) || ((byte === 32 || byte === 9) && !last)
    return literal
      ? String.fromCharCode(byte)
      : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`
  })
}

/** Encoded characters (`=XX` kept whole) into lines of at most 76, each but the last ending in a soft break `=`. */
function softBreak(encoded: string[]): string {
  const lines: string[] = []
  let line = ''
  for (const piece of encoded) {
    if (line.length + piece.length > QP_LINE - 1) {
      lines.push(`${line}=`)
      line = ''
    }
    line += piece
  }
  lines.push(line)
  return lines.join(CRLF)
}

/** Base64 in lines of 76 characters. */
export function base64Lines(bytes: Uint8Array): string {
  const base64 = Buffer.from(bytes).toString('base64')
  const lines: string[] = []
  for (let at = 0; at < base64.length; at += QP_LINE) lines.push(base64.slice(at, at + QP_LINE))
  return lines.join(CRLF)
}

/** `Mon, 4 Sep 2017 10:00:00 +0000` (RFC 5322 date-time, in UTC). */
export function rfc5322Date(iso: string): string {
  const date = new Date(iso)
  const two = (value: number) => String(value).padStart(2, '0')
  const time = `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`
  return `${DAYS[date.getUTCDay()]}, ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ${time} +0000`
}
