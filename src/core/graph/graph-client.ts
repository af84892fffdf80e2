/** A thin typed Microsoft Graph client over fetch: the mail subset the app and the CLI use. */
import type {
  AttachmentItem,
  FileAttachment,
  Message,
  UploadSession,
  User,
} from '@microsoft/microsoft-graph-types'
import {
  addAttachment,
  createDraft,
  createUploadSession,
  deleteMessage,
  findMessagesByProperty,
  getMe,
  getMessage,
  getMyPhoto,
  listAttachments,
  listMessagePage,
  listMessages,
  sendDraft,
  sendMail,
  uploadRange,
  type Connection,
  type FoundMessage,
  type MessagePage,
  type MessageQuery,
  type Photo,
  type UploadProgress,
} from './graph-calls.ts'
import type { GraphCall } from './graph-request.ts'

export type { FoundMessage, GraphCall, MessagePage, MessageQuery, Photo, UploadProgress }

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
  /**
   * Whose mailbox the mail calls act on: the signed-in user's (default, `/me`), or another's by id or address
   * (`/users/{mailbox}`: a shared mailbox with delegated rights, any mailbox with application permissions).
   */
  mailbox?: string
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
  /** One page of a folder's messages with OData options; `nextLink` when more follow. */
  listMessagePage(folder: string, query: MessageQuery): Promise<MessagePage>
  getMessage(messageId: string, select?: readonly string[]): Promise<Message & { id: string }>
  /** Messages in any folder whose single-value extended property `propertyId` equals `value` (id, isDraft, internetMessageId). */
  findMessagesByProperty(propertyId: string, value: string): Promise<FoundMessage[]>
  /** A message's attachments described (name, contentType, size, isInline), without their contents. */
  listAttachments(
    messageId: string,
  ): Promise<{ id: string; name: string; contentType: string; size: number; isInline: boolean }[]>
}

export const DEFAULT_ME_SELECT = [
  'id',
  'displayName',
  'mail',
  'userPrincipalName',
  'preferredLanguage',
] as const

/**
 * A Graph client acting with the tokens `options.token` hands out; every call goes through graphRequest's retry
 * policy (reads retried on 429/503/504 and lost answers, writes only on 429).
 * @example
 * const graph = createGraphClient({ baseUrl: config.graphBaseUrl, token: () => auth.acquireToken(partition, user),
 *   timeoutMs: config.graph.timeoutMs, retryBudgetMs: config.graph.retryBudgetMs })
 * await graph.sendMail(message, true)
 */
export function createGraphClient(options: GraphClientOptions): GraphClient {
  const graph: Connection = {
    base: options.baseUrl.replace(/\/+$/, ''),
    mailbox: options.mailbox ? `/users/${encodeURIComponent(options.mailbox)}` : '/me',
    transport: {
      fetch: options.fetch ?? fetch,
      token: options.token,
      timeoutMs: options.timeoutMs,
      retryBudgetMs: options.retryBudgetMs,
      onCall: options.onCall,
    },
  }
  return {
    getMe: (select = DEFAULT_ME_SELECT) => getMe(graph, select),
    getMyPhoto: () => getMyPhoto(graph),
    sendMail: (message, saveToSentItems) => sendMail(graph, message, saveToSentItems),
    createDraft: (message) => createDraft(graph, message),
    addAttachment: (messageId, attachment) => addAttachment(graph, messageId, attachment),
    createUploadSession: (messageId, item) => createUploadSession(graph, messageId, item),
    uploadRange: (uploadUrl, bytes, start, total) =>
      uploadRange(graph, uploadUrl, bytes, start, total),
    sendDraft: (messageId) => sendDraft(graph, messageId),
    deleteMessage: (messageId) => deleteMessage(graph, messageId),
    listMessages: (folder, top = 10) => listMessages(graph, folder, top),
    listMessagePage: (folder, query) => listMessagePage(graph, folder, query),
    getMessage: (messageId, select) => getMessage(graph, messageId, select),
    findMessagesByProperty: (propertyId, value) => findMessagesByProperty(graph, propertyId, value),
    listAttachments: (messageId) => listAttachments(graph, messageId),
  }
}
