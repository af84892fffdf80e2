/** The pre-authenticated upload URLs of createUploadSession: PUT byte ranges in order; the last makes the attachment. */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import { safeEqual } from '../safe-equal.ts'
import { GraphError, ODATA_JSON, sendGraphError, setGraphHeaders } from './graph-error.ts'
import type { MailStore, UploadSession } from './mail-store.ts'
import { newId } from './message-model.ts'
import { baseUrl } from './odata.ts'
import type { Throttle } from './throttle.ts'

/** Largest accepted chunk; Graph recommends ≤ 4 MB and multiples of 320 KiB. */
export const CHUNK_LIMIT = 8 * 1024 * 1024
const RANGE = /^bytes (\d+)-(\d+)\/(\d+)$/

const sessionNotFound = () =>
  new GraphError(404, 'uploadSessionNotFound', 'The upload session was not found or has expired.')
const invalidRange = (message: string) => new GraphError(400, 'invalidRange', message)

export async function uploadRoutes(
  scope: FastifyInstance,
  { mail, throttle }: EmulatorContext,
): Promise<void> {
  scope.removeAllContentTypeParsers()
  scope.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: CHUNK_LIMIT },
    (_request, body, done) => done(null, body),
  )
  scope.addHook('onRequest', async (request, reply) => setGraphHeaders(request, reply))
  scope.setErrorHandler((error: FastifyError | GraphError, _request, reply) => {
    if (error instanceof GraphError) return sendGraphError(reply, error)
    const status = error.statusCode === 413 ? 413 : 400
    const code = status === 413 ? 'RequestEntityTooLarge' : 'invalidRequest'
    return sendGraphError(reply, new GraphError(status, code, error.message))
  })
  scope.put('/api/v2.0/*', async (request, reply) => putChunk(mail, request, reply, throttle))
  scope.delete('/api/v2.0/*', async (request, reply) => {
    mail.deleteSession(findSession(mail, request).id)
    return reply.code(204).send()
  })
}

/** The session of the URL; the Authorization header is ignored, the URL carries its own token [B2.2, D16]. */
function findSession(mail: MailStore, request: FastifyRequest): UploadSession {
  const path = decodeURIComponent(request.url.split('?')[0]!)
  const id = /AttachmentSessions\('([^']+)'\)/.exec(path)?.[1]
  const session = id ? mail.session(id) : undefined
  const token = String((request.query as { authtoken?: string }).authtoken ?? '')
  if (!session || !safeEqual(session.token, token)) throw sessionNotFound()
  if (Date.parse(session.expirationDateTime) <= Date.now()) {
    mail.deleteSession(session.id)
    throw sessionNotFound()
  }
  return session
}

async function putChunk(
  mail: MailStore,
  request: FastifyRequest,
  reply: FastifyReply,
  throttle: Throttle,
) {
  const session = findSession(mail, request)
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
  const overBudget = throttle.upload(session.mailbox, body.length) // Outlook's 150 MB per 5 minutes
  if (overBudget) throw overBudget
  const { start, end } = checkRange(session, String(request.headers['content-range'] ?? ''), body)
  mail.putChunk(session.id, start, body)
  const received = end + 1
  if (received === session.size) return finishUpload(mail, session, request, reply)
  mail.putSession({ ...session, received })
  return reply.header('content-type', ODATA_JSON).send(
    JSON.stringify({
      '@odata.context': `${baseUrl(request)}/api/v2.0/$metadata#Microsoft.OutlookServices.UploadSession`,
      ExpirationDateTime: session.expirationDateTime,
      nextExpectedRanges: [`${received}-`],
    }),
  )
}

/** `Content-Range: bytes {start}-{end}/{total}`: within the session's size, the body's length, the next expected byte. */
function checkRange(session: UploadSession, header: string, body: Buffer) {
  const match = RANGE.exec(header.trim())
  if (!match)
    throw invalidRange(
      'The Content-Range header is missing or malformed (expected "bytes {start}-{end}/{total}").',
    )
  const [start, end, total] = [Number(match[1]), Number(match[2]), Number(match[3])]
  if (total !== session.size)
    throw invalidRange(
      `The total size ${total} does not match the session's ${session.size} bytes.`,
    )
  if (end < start || end >= total)
    throw invalidRange(`The range ${start}-${end} is not within 0-${total - 1}.`)
  if (body.length !== end - start + 1)
    throw invalidRange(`The body has ${body.length} bytes; the range says ${end - start + 1}.`)
  if (start < session.received) {
    throw new GraphError(
      416,
      'fragmentOverlap',
      `The fragment overlaps data already received; next expected range is ${session.received}-.`,
    )
  }
  if (start > session.received)
    throw invalidRange(
      `Fragments must be uploaded in order; next expected range is ${session.received}-.`,
    )
  return { start, end }
}

/** The last chunk: the bytes become an attachment of the message (201 + Location), the session goes. */
function finishUpload(
  mail: MailStore,
  session: UploadSession,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const message = mail.get(session.mailbox, session.messageId)
  const attachmentId = newId('AAMkAtt')
  mail.transaction(() => {
    const bytes = mail.takeChunks(session.id)
    if (!message) return
    mail.addAttachment({
      id: attachmentId,
      messageId: message.id,
      name: session.name,
      contentType: session.contentType,
      size: bytes.length,
      isInline: session.isInline,
      contentId: session.contentId,
      lastModifiedDateTime: new Date().toISOString(),
      bytes,
    })
    if (!message.hasAttachments) mail.update({ ...message, hasAttachments: true })
  })
  if (!message) throw sessionNotFound()
  const location = `${baseUrl(request)}/v1.0/users/${session.mailbox}/messages/${message.id}/attachments/${attachmentId}`
  return reply.code(201).header('location', location).header('content-length', '0').send()
}
