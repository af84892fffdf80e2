/** A thin typed Microsoft Graph client over fetch: the mail subset the app and the CLI use. */
import type {
  AttachmentItem,
  FileAttachment,
  Message,
  UploadSession,
  User,
} from '@microsoft/microsoft-graph-types'
import { GraphError } from '../errors.ts'
import {
  graphRequest,
  type GraphCall,
  type GraphRequest,
  type GraphTransport,
} from './graph-request.ts'

export type { GraphCall }

export interface GraphClientOptions {
  /** Graph root with its version, e.g. https://graph.microsoft.com/v1.0 (no trailing slash needed). */
  baseUrl: string
  fetch?: typeof fetch
  /** Returns a fresh access token; called before every attempt (acquireToken is silent and cached). */
  token: () => Promise<string>
  /** Per-attempt timeout. */
  timeoutMs: number
  /** Total time for one call with its retries and waits. */
  retryBudgetMs: number
  /** Called once per attempt (flow inspector, logs). */
  onCall?: (call: GraphCall) => void
}

export interface Photo {
  contentType: string
  bytes: Uint8Array
}

export interface UploadProgress {
  /** True once the last range was accepted (201). */
  done: boolean
  nextExpectedRanges: string[]
}

export interface GraphClient {
  getMe(select?: readonly string[]): Promise<User>
  /** The signed-in user's photo, or null when there is none (404 ImageNotFound). */
  getMyPhoto(): Promise<Photo | null>
  /** POST /me/sendMail: retried only on 429; a lost answer is ERR_GRAPH_OUTCOME_UNKNOWN. */
  sendMail(message: Message, saveToSentItems: boolean): Promise<void>
  createDraft(message: Message): Promise<Message & { id: string }>
  addAttachment(messageId: string, attachment: FileAttachment): Promise<void>
  createUploadSession(
    messageId: string,
    item: AttachmentItem,
  ): Promise<UploadSession & { uploadUrl: string }>
  /** PUT one range to a pre-authenticated upload URL (no Authorization header). */
  uploadRange(
    uploadUrl: string,
    bytes: Uint8Array<ArrayBuffer>,
    start: number,
    total: number,
  ): Promise<UploadProgress>
  /** POST /me/messages/{id}/send: same rules as sendMail. */
  sendDraft(messageId: string): Promise<void>
  deleteMessage(messageId: string): Promise<void>
  listMessages(folder: string, top?: number): Promise<Message[]>
}

export const DEFAULT_ME_SELECT = [
  'id',
  'displayName',
  'mail',
  'userPrincipalName',
  'preferredLanguage',
] as const

/**
 * @example
 * const graph = createGraphClient({ baseUrl: config.graphBaseUrl, token: () => auth.acquireToken(partition, user),
 *   timeoutMs: config.graph.timeoutMs, retryBudgetMs: config.graph.retryBudgetMs })
 * await graph.sendMail(message, true)
 */
export function createGraphClient(options: GraphClientOptions): GraphClient {
  const base = options.baseUrl.replace(/\/+$/, '')
  const transport: GraphTransport = {
    fetch: options.fetch ?? fetch,
    token: options.token,
    timeoutMs: options.timeoutMs,
    retryBudgetMs: options.retryBudgetMs,
    onCall: options.onCall,
  }
  const segment = (value: string) => encodeURIComponent(value)
  const send = (request: Omit<GraphRequest, 'url'> & { path: string }) =>
    graphRequest(transport, { ...request, url: `${base}${request.path}` })
  const json = (value: unknown) => ({
    body: JSON.stringify(value),
    headers: { 'content-type': 'application/json' },
  })
  const drain = async (response: Response) => {
    await response.body?.cancel()
  }

  return {
    async getMe(select = DEFAULT_ME_SELECT) {
      const response = await send({
        method: 'GET',
        path: `/me?$select=${select.map(segment).join(',')}`,
        retry: 'idempotent',
      })
      return (await response.json()) as User
    },
    async getMyPhoto() {
      try {
        const response = await send({
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
    },
    async sendMail(message, saveToSentItems) {
      await drain(
        await send({
          method: 'POST',
          path: '/me/sendMail',
          ...json({ message, saveToSentItems }),
          retry: 'throttle-only',
          nonIdempotent: true,
        }),
      )
    },
    async createDraft(message) {
      const response = await send({
        method: 'POST',
        path: '/me/messages',
        ...json(message),
        retry: 'throttle-only',
      })
      return (await response.json()) as Message & { id: string }
    },
    async addAttachment(messageId, attachment) {
      const body = { '@odata.type': '#microsoft.graph.fileAttachment', ...attachment }
      await drain(
        await send({
          method: 'POST',
          path: `/me/messages/${segment(messageId)}/attachments`,
          ...json(body),
          retry: 'throttle-only',
        }),
      )
    },
    async createUploadSession(messageId, item) {
      const path = `/me/messages/${segment(messageId)}/attachments/createUploadSession`
      const response = await send({
        method: 'POST',
        path,
        ...json({ AttachmentItem: item }),
        retry: 'throttle-only',
      })
      return (await response.json()) as UploadSession & { uploadUrl: string }
    },
    async uploadRange(uploadUrl, bytes, start, total) {
      const end = start + bytes.byteLength - 1
      const headers = {
        'content-type': 'application/octet-stream',
        'content-range': `bytes ${start}-${end}/${total}`,
      }
      const response = await graphRequest(transport, {
        method: 'PUT',
        url: uploadUrl,
        body: bytes,
        headers,
        retry: 'throttle-only',
        anonymous: true,
      })
      if (response.status === 201) {
        await drain(response)
        return { done: true, nextExpectedRanges: [] }
      }
      const session = (await response.json().catch(() => ({}))) as { nextExpectedRanges?: string[] }
      return { done: false, nextExpectedRanges: session.nextExpectedRanges ?? [] }
    },
    async sendDraft(messageId) {
      await drain(
        await send({
          method: 'POST',
          path: `/me/messages/${segment(messageId)}/send`,
          retry: 'throttle-only',
          nonIdempotent: true,
        }),
      )
    },
    async deleteMessage(messageId) {
      await drain(
        await send({
          method: 'DELETE',
          path: `/me/messages/${segment(messageId)}`,
          retry: 'idempotent',
        }),
      )
    },
    async listMessages(folder, top = 10) {
      const path = `/me/mailFolders/${segment(folder)}/messages?$top=${top}`
      const response = await send({ method: 'GET', path, retry: 'idempotent' })
      return ((await response.json()) as { value: Message[] }).value
    },
  }
}
