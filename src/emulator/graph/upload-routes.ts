// The pre-authenticated upload URLs of createUploadSession: PUT byte ranges in order; the last one creates the attachment.
import { timingSafeEqual } from 'node:crypto'
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify'
import { GraphError, ODATA_JSON, sendGraphError, setGraphHeaders } from './graph-error.ts'
import type { EmulatorContext } from '../context.ts'
import type { UploadSession } from './mail-store.ts'
import { newId } from './message-model.ts'
import { baseUrl } from './odata.ts'

/** Largest accepted chunk; Graph recommends ≤ 4 MB and multiples of 320 KiB. */
export const CHUNK_LIMIT = 8 * 1024 * 1024
const RANGE = /^bytes (\d+)-(\d+)\/(\d+)$/

const sessionNotFound = () =>
  new GraphError(404, 'uploadSessionNotFound', 'The upload session was not found or has expired.')
const invalidRange = (message: string) => new GraphError(400, 'invalidRange', message)

export async function uploadRoutes(
  scope: FastifyInstance,
  context: EmulatorContext,
): Promise<void> {
  const store = context.mail
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
    return sendGraphError(
      reply,
      new GraphError(
        status,
        status === 413 ? 'RequestEntityTooLarge' : 'invalidRequest',
        error.message,
      ),
    )
  })

  // The Authorization header is ignored: the URL carries its own token [protocol-spec.md B2.2, D16].
  const findSession = (request: FastifyRequest): UploadSession => {
    const id = /AttachmentSessions\('([^']+)'\)/.exec(
      decodeURIComponent(request.url.split('?')[0]!),
    )?.[1]
    const session = id ? store.session(id) : undefined
    const token = Buffer.from(String((request.query as { authtoken?: string }).authtoken ?? ''))
    const expected = Buffer.from(session?.token ?? '')
    if (!session || token.length !== expected.length || !timingSafeEqual(token, expected))
      throw sessionNotFound()
    if (Date.parse(session.expirationDateTime) <= Date.now()) {
      store.deleteSession(session.id)
      throw sessionNotFound()
    }
    return session
  }

  scope.put('/api/v2.0/*', async (request, reply) => {
    const session = findSession(request)
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
    const match = RANGE.exec(String(request.headers['content-range'] ?? '').trim())
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
    store.putChunk(session.id, start, body)
    const received = end + 1
    if (received < session.size) {
      store.putSession({ ...session, received })
      return reply.header('content-type', ODATA_JSON).send(
        JSON.stringify({
          '@odata.context': `${baseUrl(request)}/api/v2.0/$metadata#Microsoft.OutlookServices.UploadSession`,
          ExpirationDateTime: session.expirationDateTime,
          nextExpectedRanges: [`${received}-`],
        }),
      )
    }
    const message = store.get(session.mailbox, session.messageId)
    const attachmentId = newId('AAMkAtt')
    store.transaction(() => {
      const bytes = store.takeChunks(session.id)
      if (!message) return
      store.addAttachment({
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
      if (!message.hasAttachments) store.update({ ...message, hasAttachments: true })
    })
    if (!message) throw sessionNotFound()
    const location = `${baseUrl(request)}/v1.0/users/${session.mailbox}/messages/${message.id}/attachments/${attachmentId}`
    return reply.code(201).header('location', location).header('content-length', '0').send()
  })

  scope.delete('/api/v2.0/*', async (request, reply) => {
    store.deleteSession(findSession(request).id)
    return reply.code(204).send()
  })
}
