/** sendMail with `Content-Type: text/plain`: a base64 MIME message, read just enough to deliver it. */
import type { MessageInput } from './compose.ts'
import { GraphError } from './graph-error.ts'

/** Subject, To/Cc/Bcc, and the first text or HTML part; attachments inside the MIME are not extracted. */
export function parseMime(base64: string): { message: MessageInput; saveToSentItems: boolean } {
  const compact = base64.replace(/\s+/g, '')
  if (!compact || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 !== 0) {
    throw new GraphError(
      400,
      'ErrorMimeContentInvalidBase64String',
      'Invalid base64 string for MIME content.',
    )
  }
  const text = Buffer.from(compact, 'base64').toString('utf8').replace(/\r\n/g, '\n')
  const split = text.indexOf('\n\n')
  const head = split < 0 ? text : text.slice(0, split)
  const rest = split < 0 ? '' : text.slice(split + 2)
  const headers = new Map<string, string>()
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':')
    if (colon > 0)
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim())
  }
  const list = (name: string) =>
    (headers.get(name) ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => {
        const match = /^(.*)<([^>]+)>$/.exec(part)
        const address = (match ? match[2]! : part).trim()
        const display = match ? match[1]!.trim().replace(/^"|"$/g, '') : ''
        return { emailAddress: { address, name: display || address } }
      })
  const isHtml = /text\/html/i.test(headers.get('content-type') ?? '') || /^\s*<html/i.test(rest)
  return {
    message: {
      subject: headers.get('subject') ?? '',
      body: { contentType: isHtml ? 'html' : 'text', content: rest.trim() },
      toRecipients: list('to'),
      ccRecipients: list('cc'),
      bccRecipients: list('bcc'),
    },
    saveToSentItems: true,
  }
}
