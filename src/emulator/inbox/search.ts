/**
 * parseQuery, matchesQuery: the viewer's search, as Mailpit's — every term must match; a bare word or "quoted phrase"
 * looks in the sender, the recipients, the subject and the body; `from:`, `to:` (To, Cc, Bcc), `subject:` and `body:`
 * look in one of them; `is:unread` and `is:read` filter on the read flag. Case and accents are ignored.
 */
import { htmlToText } from '../graph/html-text.ts'
import type { MessageRecord, Recipient } from '../graph/message-model.ts'

type Field = 'any' | 'from' | 'to' | 'subject' | 'body'
export interface QueryTerm {
  field: Field
  text: string
}
export interface Query {
  terms: QueryTerm[]
  /** is:unread → false, is:read → true. */
  isRead?: boolean
}

const FIELDS = new Set<Field>(['from', 'to', 'subject', 'body'])
const TOKEN = /(?:(\w+):)?(?:"([^"]*)"?|(\S+))/g

/** Folded for comparison: lower case, without accents. */
const fold = (text: string) =>
  text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()

export function parseQuery(raw: string): Query {
  const query: Query = { terms: [] }
  for (const [, prefix, phrase, word] of raw.matchAll(TOKEN)) {
    const name = prefix?.toLowerCase()
    const value = phrase ?? word ?? ''
    if (name === 'is' && /^(un)?read$/i.test(value)) query.isRead = value.toLowerCase() === 'read'
    else if (name && FIELDS.has(name as Field) && value)
      query.terms.push({ field: name as Field, text: fold(value) })
    else if (value || prefix)
      query.terms.push({ field: 'any', text: fold(prefix ? `${prefix}:${value}` : value) })
  }
  return query
}

/** True when the query has nothing to look for (an empty search box). */
export const isEmptyQuery = (query: Query) => query.terms.length === 0 && query.isRead === undefined

export function matchesQuery(message: MessageRecord, query: Query): boolean {
  if (query.isRead !== undefined && message.isRead !== query.isRead) return false
  if (query.terms.length === 0) return true
  const fields = searchable(message)
  return query.terms.every((term) =>
    term.field === 'any'
      ? Object.values(fields).some((value) => value().includes(term.text))
      : fields[term.field]().includes(term.text),
  )
}

/** Each field's folded text, computed when first asked for (the body last, being the largest). */
function searchable(message: MessageRecord): Record<Exclude<Field, 'any'>, () => string> {
  const once = (compute: () => string) => {
    let value: string | undefined
    return () => (value ??= fold(compute()))
  }
  const people = (list: (Recipient | null)[]) =>
    list
      .filter((one) => one !== null)
      .map(({ emailAddress }) => `${emailAddress.name} <${emailAddress.address}>`)
      .join('\n')
  const { body } = message
  return {
    from: once(() => people([message.from, message.sender])),
    to: once(() =>
      people([...message.toRecipients, ...message.ccRecipients, ...message.bccRecipients]),
    ),
    subject: once(() => message.subject),
    body: once(() => (body.contentType === 'html' ? htmlToText(body.content) : body.content)),
  }
}
