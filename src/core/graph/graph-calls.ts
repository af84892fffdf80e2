/** One function per Graph call of the client: its path, its body and its retry rule (graph-request.ts). */
import type {
  AttachmentItem,
  FileAttachment,
  Message,
  UploadSession,
  User,
} from '@microsoft/microsoft-graph-types'
import { GraphError } from '../errors.ts'
import { graphRequest, type GraphRequest, type GraphTransport } from './graph-request.ts'

export interface Photo {
  contentType: string
  bytes: Uint8Array
}

export interface UploadProgress {
  /** True once the last range was accepted (201). */
  done: boolean
  nextExpectedRanges: string[]
}

/** What every call of one client shares: Graph's root, the mailbox acted on and the transport under the retry policy. */
export interface Connection {
  base: string
  /** `/me` (the signed-in user), or `/users/{id or address}`: a shared mailbox, or any mailbox app-only. */
  mailbox: string
  transport: GraphTransport
}

/** A page of a folder's messages, and whether more follow. */
export interface MessagePage {
  messages: Message[]
  /** Graph's @odata.nextLink, when there are more. */
  nextLink: string | undefined
}

/** Options of a message list, as Graph's OData query: `$top`, `$skip`, `$select`, `$filter`, `$search`. */
export interface MessageQuery {
  top?: number
  skip?: number
  select?: readonly string[]
  /** An OData filter, e.g. `isRead eq false`. */
  filter?: string
  /** A KQL search (Graph puts it in quotes). */
  search?: string
}

/** A call to a path under Graph's root. */
type PathRequest = Omit<GraphRequest, 'url'> & { path: string }

function call(graph: Connection, request: PathRequest): Promise<Response> {
  return graphRequest(graph.transport, { ...request, url: `${graph.base}${request.path}` })
}

/** A call whose answer has no body worth reading: the body is discarded so the socket is reused. */
async function callWithoutAnswer(graph: Connection, request: PathRequest): Promise<void> {
  await drain(await call(graph, request))
}

async function drain(response: Response): Promise<void> {
  await response.body?.cancel()
}

const segment = (value: string) => encodeURIComponent(value)

const json = (value: unknown) => ({
  body: JSON.stringify(value),
  headers: { 'content-type': 'application/json' },
})

export async function getMe(graph: Connection, select: readonly string[]): Promise<User> {
  const path = `/me?$select=${select.map(segment).join(',')}`
  const response = await call(graph, { method: 'GET', path, retry: 'idempotent' })
  return (await response.json()) as User
}

export async function getMyPhoto(graph: Connection): Promise<Photo | null> {
  try {
    const response = await call(graph, {
      method: 'GET',
      path: '/me/photo/$value',
      retry: 'idempotent',
    })
    return {
      contentType: response.headers.get('content-type') ?? 'image/jpeg',
      bytes: new Uint8Array(await response.arrayBuffer()),
    }
  } catch (error) {
    if (error instanceof GraphError && error.code === 'ERR_GRAPH_NOT_FOUND') return null
    throw error
  }
}

export function sendMail(
  graph: Connection,
  message: Message,
  saveToSentItems: boolean,
): Promise<void> {
  return callWithoutAnswer(graph, {
    method: 'POST',
    path: `${graph.mailbox}/sendMail`,
    ...json({ message, saveToSentItems }),
    retry: 'throttle-only',
    nonIdempotent: true,
  })
}

export async function createDraft(graph: Connection, message: Message) {
  const response = await call(graph, {
    method: 'POST',
    path: `${graph.mailbox}/messages`,
    ...json(message),
    retry: 'throttle-only',
  })
  return (await response.json()) as Message & { id: string }
}

export function addAttachment(
  graph: Connection,
  messageId: string,
  attachment: FileAttachment,
): Promise<void> {
  return callWithoutAnswer(graph, {
    method: 'POST',
    path: `${graph.mailbox}/messages/${segment(messageId)}/attachments`,
    ...json({ '@odata.type': '#microsoft.graph.fileAttachment', ...attachment }),
    retry: 'throttle-only',
  })
}

export async function createUploadSession(
  graph: Connection,
  messageId: string,
  item: AttachmentItem,
) {
  const response = await call(graph, {
    method: 'POST',
    path: `${graph.mailbox}/messages/${segment(messageId)}/attachments/createUploadSession`,
    ...json({ AttachmentItem: item }),
    retry: 'throttle-only',
  })
  return (await response.json()) as UploadSession & { uploadUrl: string }
}

/** The upload URL is pre-authenticated and outside Graph's root: no base, no Authorization header. */
export async function uploadRange(
  graph: Connection,
  uploadUrl: string,
  bytes: Uint8Array<ArrayBuffer>,
  start: number,
  total: number,
): Promise<UploadProgress> {
  const end = start + bytes.byteLength - 1
  const response = await graphRequest(graph.transport, {
    method: 'PUT',
    url: uploadUrl,
    body: bytes,
    headers: {
      'content-type': 'application/octet-stream',
      'content-range': `bytes ${start}-${end}/${total}`,
    },
    retry: 'throttle-only',
    anonymous: true,
  })
  if (response.status === 201) {
    await drain(response)
    return { done: true, nextExpectedRanges: [] }
  }
  const session = (await response.json().catch(() => ({}))) as { nextExpectedRanges?: string[] }
  return { done: false, nextExpectedRanges: session.nextExpectedRanges ?? [] }
}

export function sendDraft(graph: Connection, messageId: string): Promise<void> {
  return callWithoutAnswer(graph, {
    method: 'POST',
    path: `${graph.mailbox}/messages/${segment(messageId)}/send`,
    retry: 'throttle-only',
    nonIdempotent: true,
  })
}

export function deleteMessage(graph: Connection, messageId: string): Promise<void> {
  return callWithoutAnswer(graph, {
    method: 'DELETE',
    path: `${graph.mailbox}/messages/${segment(messageId)}`,
    retry: 'idempotent',
  })
}

export async function listMessages(
  graph: Connection,
  folder: string,
  top: number,
): Promise<Message[]> {
  return (await listMessagePage(graph, folder, { top })).messages
}

/** One page of a folder's messages (newest first, Graph's default order). */
export async function listMessagePage(
  graph: Connection,
  folder: string,
  query: MessageQuery,
): Promise<MessagePage> {
  const options: string[] = []
  const add = (name: string, value: string) => options.push(`${name}=${encodeURIComponent(value)}`)
  if (query.top !== undefined) add('$top', String(query.top))
  if (query.skip) add('$skip', String(query.skip))
  if (query.select?.length) add('$select', query.select.join(','))
  if (query.filter) add('$filter', query.filter)
  if (query.search) add('$search', `"${query.search.replaceAll('"', '')}"`)
  const path = `${graph.mailbox}/mailFolders/${segment(folder)}/messages?${options.join('&')}`
  const response = await call(graph, { method: 'GET', path, retry: 'idempotent' })
  const page = (await response.json()) as { value: Message[]; '@odata.nextLink'?: string }
  return { messages: page.value, nextLink: page['@odata.nextLink'] }
}

/** What a lookup by extended property tells of each message it finds. */
export interface FoundMessage {
  id: string
  isDraft: boolean
  internetMessageId: string | null
}

/**
 * The messages of the mailbox, in any folder, whose single-value extended property `propertyId` is `value`: Graph's
 * documented `singleValueExtendedProperties/any(…)` filter. A read, retried as one.
 */
export async function findMessagesByProperty(
  graph: Connection,
  propertyId: string,
  value: string,
): Promise<FoundMessage[]> {
  const quoted = (text: string) => `'${text.replaceAll("'", "''")}'`
  const filter = `singleValueExtendedProperties/any(ep: ep/id eq ${quoted(propertyId)} and ep/value eq ${quoted(value)})`
  const query = `$filter=${encodeURIComponent(filter)}&$select=id,isDraft,internetMessageId&$top=50`
  const response = await call(graph, {
    method: 'GET',
    path: `${graph.mailbox}/messages?${query}`,
    retry: 'idempotent',
  })
  const page = (await response.json()) as { value: FoundMessage[] }
  return page.value.map(({ id, isDraft, internetMessageId }) => ({
    id,
    isDraft: Boolean(isDraft),
    internetMessageId: internetMessageId ?? null,
  }))
}

/** One message, with its body and recipients. */
export async function getMessage(
  graph: Connection,
  messageId: string,
  select?: readonly string[],
): Promise<Message & { id: string }> {
  const query = select?.length ? `?$select=${select.map(segment).join(',')}` : ''
  const path = `${graph.mailbox}/messages/${segment(messageId)}${query}`
  const response = await call(graph, { method: 'GET', path, retry: 'idempotent' })
  return (await response.json()) as Message & { id: string }
}

/** A message's attachments, described (name, type, size), their contents left on the server. */
export async function listAttachments(
  graph: Connection,
  messageId: string,
): Promise<{ id: string; name: string; contentType: string; size: number; isInline: boolean }[]> {
  const path = `${graph.mailbox}/messages/${segment(messageId)}/attachments?$select=id,name,contentType,size,isInline`
  const response = await call(graph, { method: 'GET', path, retry: 'idempotent' })
  const answer = (await response.json()) as {
    value: { id: string; name: string; contentType: string; size: number; isInline: boolean }[]
  }
  return answer.value.map(({ id, name, contentType, size, isInline }) => ({
    id,
    name,
    contentType,
    size,
    isInline,
  }))
}
