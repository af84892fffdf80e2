// File attachments (≤ 3 MB inline) and createUploadSession for larger ones (the PUTs are in upload-routes.ts).
import type { EmulatorContext } from '../context.ts'
import { randomBytes } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { requireMail } from './permissions.ts'
import { toAttachments, type AttachmentInput } from './compose.ts'
import { GraphError, ODATA_JSON } from './graph-error.ts'
import { graphRequest, owner } from './graph-request.ts'
import { mailboxRoute } from './mailbox-route.ts'
import { newId } from './message-model.ts'
import { attachmentView } from './message-views.ts'
import { baseUrl, metadataUrl } from './odata.ts'
import { readBody } from './read-body.ts'
import { notFound } from './send-routes.ts'

/** Upload-session bounds (Outlook: 3 MB to 150 MB) and lifetime. */
export const UPLOAD_MIN = 3 * 1024 * 1024
export const UPLOAD_MAX = 150 * 1024 * 1024
const SESSION_LIFETIME_MS = 6 * 3600 * 1000

export function attachmentRoutes(scope: FastifyInstance, context: EmulatorContext): void {
  const store = context.mail
  const json = (reply: FastifyReply, body: unknown, status = 200) =>
    reply
      .code(status)
      .header('content-type', ODATA_JSON)
      .header('odata-version', '4.0')
      .send(JSON.stringify(body))
  const message = (request: FastifyRequest, need: 'mail.read' | 'mail.readwrite') => {
    requireMail(graphRequest(request).auth, need)
    const found = store.get(owner(request).id, (request.params as { id: string }).id)
    if (!found) throw notFound()
    return found
  }
  const odataContext = (request: FastifyRequest, messageId: string, entity = '') =>
    metadataUrl(
      request,
      `users('${owner(request).id}')/messages('${messageId}')/attachments${entity}`,
    )

  mailboxRoute(
    scope,
    'POST',
    '/messages/:id/attachments',
    { throttled: 'request' },
    (request, reply) => {
      const target = message(request, 'mail.readwrite')
      const input = readBody<AttachmentInput>(request.body ?? {}, 'attachment')
      const [attachment] = toAttachments([input], target.id, new Date().toISOString())
      store.transaction(() => {
        store.addAttachment(attachment!)
        if (!target.hasAttachments) store.update({ ...target, hasAttachments: true })
      })
      return json(
        reply,
        {
          '@odata.context': odataContext(request, target.id, '/$entity'),
          ...attachmentView(attachment!),
        },
        201,
      )
    },
  )

  mailboxRoute(
    scope,
    'GET',
    '/messages/:id/attachments',
    { throttled: 'request' },
    (request, reply) => {
      const target = message(request, 'mail.read')
      const value = store.attachments(target.id).map((attachment) => attachmentView(attachment))
      return json(reply, { '@odata.context': odataContext(request, target.id), value })
    },
  )

  const findAttachment = (request: FastifyRequest) => {
    const target = message(request, 'mail.read')
    const attachment = store.attachment(
      target.id,
      (request.params as { attachmentId: string }).attachmentId,
    )
    if (!attachment) throw notFound()
    return { target, attachment }
  }
  mailboxRoute(
    scope,
    'GET',
    '/messages/:id/attachments/:attachmentId',
    { throttled: 'request' },
    (request, reply) => {
      const { target, attachment } = findAttachment(request)
      return json(reply, {
        '@odata.context': odataContext(request, target.id, '/$entity'),
        ...attachmentView(attachment),
      })
    },
  )
  mailboxRoute(
    scope,
    'GET',
    '/messages/:id/attachments/:attachmentId/$value',
    { throttled: 'request' },
    (request, reply) => {
      const { attachment } = findAttachment(request)
      return reply
        .header('content-type', attachment.contentType)
        .send(Buffer.from(attachment.bytes))
    },
  )

  mailboxRoute(
    scope,
    'POST',
    '/messages/:id/attachments/createUploadSession',
    { throttled: 'request' },
    (request, reply) => {
      const target = message(request, 'mail.readwrite')
      const { attachmentItem: item } = readBody<{ attachmentItem?: UploadItem | null }>(
        request.body ?? {},
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
      const user = owner(request)
      const session = {
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
      store.putSession(session)
      const uploadUrl =
        `${baseUrl(request)}/api/v2.0/Users('${user.id}@${user.tenantId}')/Messages('${target.id}')` +
        `/AttachmentSessions('${session.id}')?authtoken=${session.token}`
      return json(
        reply,
        {
          '@odata.context': metadataUrl(request, 'microsoft.graph.uploadSession'),
          uploadUrl,
          expirationDateTime: session.expirationDateTime,
          nextExpectedRanges: ['0-'],
        },
        201,
      )
    },
  )
}

interface UploadItem {
  attachmentType?: string
  name?: string
  size?: number
  contentType?: string
  isInline?: boolean
  contentId?: string
}
