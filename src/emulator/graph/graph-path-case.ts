/**
 * normalizeGraphUrl: Graph matches its keyword segments in any case (/v1.0/Me/SendMail); ids, UPNs, folder names,
 * the query and the version segment keep theirs (no evidence that Graph accepts /V1.0, so the emulator does not either).
 */
const KEYWORDS = [
  'me',
  'users',
  'sendMail',
  'microsoft.graph.sendMail',
  'messages',
  'mailFolders',
  'attachments',
  'photo',
  '$value',
  'createUploadSession',
  'send',
  'microsoft.graph.send',
  '$batch',
  '$count',
  'move',
  'copy',
  'microsoft.graph.move',
  'microsoft.graph.copy',
  'mailboxSettings',
  'calendar',
  'calendars',
  'events',
  'calendarView',
  'contacts',
]
const CANONICAL = new Map(KEYWORDS.map((keyword) => [keyword.toLowerCase(), keyword]))
/** After these, the next segment is a key (a user id or UPN, a message, folder or attachment id): never rewritten. */
const KEY_FOLLOWS = new Set([
  'users',
  'messages',
  'mailFolders',
  'attachments',
  'calendars',
  'events',
  'contacts',
])
const VERSION = /^\/(?:v1\.0|beta)(?=\/|$)/

/** Rewrites the keyword segments of a `/v1.0` or `/beta` URL to the casing the routes use; any other URL is returned as is. */
export function normalizeGraphUrl(url: string): string {
  const version = VERSION.exec(url)
  if (!version) return url
  const queryAt = url.indexOf('?')
  const path = queryAt === -1 ? url : url.slice(0, queryAt)
  const query = queryAt === -1 ? '' : url.slice(queryAt)
  return rewrite(path, version[0]) + query
}

function rewrite(path: string, version: string): string {
  let keyNext = false
  const segments = path
    .slice(version.length)
    .split('/')
    .map((segment) => {
      if (keyNext || segment === '') {
        keyNext = false
        return segment
      }
      const canonical = CANONICAL.get(segment.toLowerCase())
      keyNext = canonical !== undefined && KEY_FOLLOWS.has(canonical)
      return canonical ?? segment
    })
  return version + segments.join('/')
}
