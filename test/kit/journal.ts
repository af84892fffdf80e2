/**
 * The emulator journal reads the suites ask often, through the typed client: token requests, sendMail, sends and
 * Graph calls since a mark, a token request's form fields, the oid of an entry's bearer token.
 */
import type { EmulatorClient, JournalEntry } from '../../src/emulator/index.ts'

/** A token endpoint path, v2 or v1. */
const TOKEN_PATH = /\/oauth2\/(v2\.0\/)?token$/
/** Graph's sendMail, v1.0. */
const SEND_MAIL_PATH = /^\/v1\.0\/me\/sendMail$/
/** sendMail, or the send of a draft. */
const SEND_PATH = /\/(sendMail|send)$/
/** Graph's two versions. */
const GRAPH_PATH = /^\/(v1\.0|beta)\//

/** Token requests (POST to a token endpoint, v2 or v1) since a mark. */
export function tokenRequests(client: EmulatorClient, since: number): Promise<JournalEntry[]> {
  return client.journal({ since, method: 'POST', path: TOKEN_PATH })
}

/** POST /v1.0/me/sendMail requests since a mark. */
export function sendMails(client: EmulatorClient, since: number): Promise<JournalEntry[]> {
  return client.journal({ since, method: 'POST', path: SEND_MAIL_PATH })
}

/** sendMail and draft sends since a mark. */
export function sends(client: EmulatorClient, since: number): Promise<JournalEntry[]> {
  return client.journal({ since, method: 'POST', path: SEND_PATH })
}

/** Every Graph request since a mark. */
export function graphCalls(client: EmulatorClient, since: number): Promise<JournalEntry[]> {
  return client.journal({ since, path: GRAPH_PATH })
}

/** A request's query and form fields (the journal keeps a form parsed, or as its text). */
export function fieldsOf(entry: JournalEntry): Record<string, string> {
  const body =
    typeof entry.body === 'string'
      ? Object.fromEntries(new URLSearchParams(entry.body))
      : ((entry.body ?? {}) as Record<string, string>)
  return { ...(entry.query as Record<string, string>), ...body }
}

/** The bearer token an entry carried (undefined without one). */
export function bearerOf(entry: JournalEntry): string | undefined {
  const header = entry.headers.authorization
  return typeof header === 'string' ? /^Bearer (.+)$/.exec(header)?.[1] : undefined
}

/** The `oid` of the bearer token an entry carried (undefined without one). */
export function bearerOid(entry: JournalEntry): string | undefined {
  const token = bearerOf(entry)
  if (!token) return undefined
  const payload = Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')
  return (JSON.parse(payload) as { oid?: string }).oid
}
