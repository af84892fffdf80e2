/** File attachments (≤ 3 MB inline) and createUploadSession for larger ones (the PUTs are in upload-routes.ts). */
import { randomBytes } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import { toAttachments, type AttachmentInput } from './compose.ts'
import { GraphError } from './graph-error.ts'
import { owner } from './graph-request.ts'
import type { MailStore, UploadSession } from './mail-store.ts'
import { mailboxRoute } from './mailbox-route.ts'
import { newId, type MessageRecord } from './message-model.ts'
import { attachmentView } from './message-views.ts'
import { baseUrl, metadataUrl, selectView, sendOData } from './odata.ts'
import { readBody } from './read-body.ts'
import { notFound } from './send-routes.ts'

/** Upload-session bounds (Outlook: 3 MB to 150 MB) and lifetime. */
export const UPLOAD_MIN = 3 * 1024 * 1024
export const UPLOAD_MAX = 150 * 1024 * 1024
const SESSION_LIFETIME_MS = 6 * 3600 * 1000

type Handler = (mail: MailStore, request: FastifyRequest, reply: FastifyReply) => FastifyReply

interface UploadItem {
  attachmentType?: string
  name?: string
  size?: number
  contentType?: string
  isInline?: boolean
  contentId?: string
}

export function attachmentRoutes(scope: FastifyInstance, { mail }: EmulatorContext): void {
  const route = (method: 'GET' | 'POST', suffix: string, handler: Handler) =>
    mailboxRoute(
      scope,
      method,
      `/messages/:id/attachments${suffix}`,
      { throttled: 'request' },
      (request, reply) => handler(mail, request, reply),
    )
  route('POST', '', addAttachment)
  route('GET', '', listAttachments)
  route('GET', '/:attachmentId', getAttachment)
  route('GET', '/:attachmentId/$value', getAttachmentBytes)
  route('POST', '/createUploadSession', createUploadSession)
}

/** The message of the route (the Graph scope's preHandler has checked the caller's permission). */
function findMessage(mail: MailStore, request: FastifyRequest): MessageRecord {
  const found = mail.get(owner(request).id, (request.params as { id: string }).id)
  if (!found) throw notFound()
  return found
}

function findAttachment(mail: MailStore, request: FastifyRequest) {
  const target = findMessage(mail, request)
  const { attachmentId } = request.params as { attachmentId: string }
  const attachment = mail.attachment(target.id, attachmentId)
  if (!attachment) throw notFound()
  return { target, attachment }
}

const odataContext = (request: FastifyRequest, messageId: string, entity = '') =>
  metadataUrl(
    request,
    `users('${owner(request).id}')/messages('${messageId}')/attachments${entity}`,
  )

function addAttachment(mail: MailStore, request: FastifyRequest, reply: FastifyReply) {
  const target = findMessage(mail, request)
  const input = readBody<AttachmentInput>(request.body ?? {}, 'attachment')
  const [attachment] = toAttachments([input], target.id, new Date().toISOString())
  mail.transaction(() => {
    mail.addAttachment(attachment!)
    if (!target.hasAttachments) mail.update({ ...target, hasAttachments: true })
  })
  const body = {
    '@odata.context': odataContext(request, target.id, '/$entity'),
    ...attachmentView(attachment!),
  }
  return sendOData(reply, body, 201)
}

function listAttachments(mail: MailStore, request: FastifyRequest, reply: FastifyReply) {
  const target = findMessage(mail, request)
  const value = mail
    .attachments(target.id)
    .map((attachment) => selectView(request, 'attachment', attachmentView(attachment)))
  return sendOData(reply, { '@odata.context': odataContext(request, target.id), value })
}

function getAttachment(mail: MailStore, request: FastifyRequest, reply: FastifyReply) {
  const { target, attachment } = findAttachment(mail, request)
  return sendOData(reply, {
    '@odata.context': odataContext(request, target.id, '/$entity'),
    ...selectView(request, 'attachment', attachmentView(attachment)),
  })
}

function getAttachmentBytes(mail: MailStore, request: FastifyRequest, reply: FastifyReply) {
  const { attachment } = findAttachment(mail, request)
  return reply.header('content-type', attachment.contentType).send(Buffer.from(attachment.bytes))
}

function createUploadSession(mail: MailStore, request: FastifyRequest, reply: FastifyReply) {
  const target = findMessage(mail, request)
  const item = readUploadItem(request.body)
  const user = owner(request)
  const session: UploadSession = {
    id: newId('AAMkSess'),
    token: randomBytes(24).toString('base64url'),
    mailbox: user.id,
    messageId: target.id,
    name: item.name,
    contentType: item.contentType || 'application/octet-stream',
    size: item.size,
    isInline: item.isInline ?? false,
    contentId: item.contentId ?? null,
    received: 0,
    expirationDateTime: new Date(Date.now() + SESSION_LIFETIME_MS).toISOString(),
  }
  mail.putSession(session)
  const uploadUrl =
    `${baseUrl(request)}/api/v2.0/Users('${user.id}@${user.tenantId}')/Messages('${target.id}')` +
    `/AttachmentSessions('${session.id}')?authtoken=${session.token}`
  const body = {
    '@odata.context': metadataUrl(request, 'microsoft.graph.uploadSession'),
    uploadUrl,
    expirationDateTime: session.expirationDateTime,
    nextExpectedRanges: ['0-'],
  }
  return sendOData(reply, body, 201)
}

/** The attachmentItem of createUploadSession: a file, named, of 3 MB to 150 MB. */
function readUploadItem(body: unknown): UploadItem & { name: string; size: number } {
  const { attachmentItem: item } = readBody<{ attachmentItem?: UploadItem | null }>(
    body ?? {},
    'uploadSession',
  )
  if (!item || item.attachmentType !== 'file' || !item.name || typeof item.size !== 'number') {
    throw new GraphError(
      400,
      'ErrorInvalidRequest',
      'AttachmentItem with attachmentType "file", name and size is required.',
    )
  }
  if (item.size < UPLOAD_MIN) {
    throw new GraphError(
      400,
      'ErrorAttachmentSizeShouldNotBeLessThanMinimumSize',
      'Attachment size must be greater than the minimum size.',
    )
  }
  if (item.size > UPLOAD_MAX)
    throw new GraphError(
      413,
      'ErrorMessageSizeExceeded',
      'The attachment exceeds the 150 MB limit.',
    )
  return item as UploadItem & { name: string; size: number }
}
