/**
 * preference(request, name): a `Prefer` header preference (`IdType="ImmutableId"`, `outlook.timezone="…"`), names
 * without case; applyPreference(reply, text) adds it to `Preference-Applied`; wantsImmutableIds(request, reply).
 */
import type { FastifyReply, FastifyRequest } from 'fastify'

/** The value of one preference (quotes removed), from every `Prefer` header of the request; undefined if absent. */
export function preference(request: FastifyRequest, name: string): string | undefined {
  const raw = request.headers.prefer
  const headers = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]
  const wanted = name.toLowerCase()
  for (const header of headers) {
    for (const part of splitOutsideQuotes(header)) {
      const equals = part.indexOf('=')
      const key = (equals < 0 ? part : part.slice(0, equals)).trim().toLowerCase()
      if (key !== wanted) continue
      const value = equals < 0 ? '' : part.slice(equals + 1).trim()
      return value.startsWith('"') && value.endsWith('"') && value.length >= 2
        ? value.slice(1, -1)
        : value
    }
  }
  return undefined
}

/** Adds `text` to the response's `Preference-Applied` header. */
export function applyPreference(reply: FastifyReply, text: string): void {
  const current = reply.getHeader('preference-applied')
  reply.header('preference-applied', current ? `${String(current)}, ${text}` : text)
}

/** `Prefer: IdType="ImmutableId"`: true, and said so in `Preference-Applied`, as Graph does. */
export function wantsImmutableIds(request: FastifyRequest, reply: FastifyReply): boolean {
  if (preference(request, 'IdType')?.toLowerCase() !== 'immutableid') return false
  applyPreference(reply, 'IdType="ImmutableId"')
  return true
}

/** `a="x, y", b=c` → ['a="x, y"', ' b=c']: commas inside quotes kept. */
function splitOutsideQuotes(header: string): string[] {
  const parts: string[] = []
  let quoted = false
  let start = 0
  for (let at = 0; at < header.length; at++) {
    const char = header[at]
    if (char === '"') quoted = !quoted
    else if ((char === ',' || char === ';') && !quoted) {
      parts.push(header.slice(start, at))
      start = at + 1
    }
  }
  parts.push(header.slice(start))
  return parts
}
