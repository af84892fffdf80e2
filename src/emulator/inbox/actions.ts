/**
 * inboxActions: the viewer's changes, as forms of its pages (303 back to the page) or JSON from a program (204) —
 * POST /inbox/messages/{id}/read (isRead, as Graph's), /inbox/messages/{id}/delete (for good),
 * /inbox/mailboxes/{mailbox}/empty and /inbox/mailboxes/empty (every mailbox). Guarded by pageWrites.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import { newChangeKey } from '../graph/message-model.ts'
import { mediaType } from '../control/same-origin-writes.ts'
import { inboxStrings } from './i18n/index.ts'
import { mailboxKey } from './inbox-page.ts'
import { notFoundPage } from './listing.ts'
import { pageWrites } from './page-writes.ts'

type Fields = Record<string, unknown>

export async function inboxActions(app: FastifyInstance, context: EmulatorContext): Promise<void> {
  app.addHook('onRequest', pageWrites)
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 16 * 1024 },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  )
  const { mail } = context

  app.post<{ Params: { id: string } }>('/inbox/messages/:id/read', async (request, reply) => {
    const message = mail.getById(request.params.id)
    if (!message) return notFoundPage(reply, inboxStrings(request))
    const isRead = String(fields(request).isRead) === 'true'
    if (message.isRead !== isRead) {
      const now = new Date().toISOString()
      mail.update({ ...message, isRead, changeKey: newChangeKey(), lastModifiedDateTime: now })
    }
    return done(request, reply)
  })

  app.post<{ Params: { id: string } }>('/inbox/messages/:id/delete', async (request, reply) => {
    if (!mail.getById(request.params.id)) return notFoundPage(reply, inboxStrings(request))
    mail.delete(request.params.id)
    return done(request, reply)
  })

  app.post<{ Params: { mailbox: string } }>(
    '/inbox/mailboxes/:mailbox/empty',
    async (request, reply) => {
      const mailbox = mailboxKey(context, request.params.mailbox)
      if (!mailbox) return notFoundPage(reply, inboxStrings(request))
      mail.empty(mailbox.key)
      return done(request, reply)
    },
  )

  app.post('/inbox/mailboxes/empty', async (request, reply) => {
    mail.clear()
    return done(request, reply)
  })
}

const fields = (request: FastifyRequest): Fields =>
  request.body && typeof request.body === 'object' ? (request.body as Fields) : {}

/** A program (JSON) is told 204; a form goes back to its page — a path of this site, nothing else. */
function done(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (mediaType(request.headers['content-type']) === 'application/json')
    return reply.code(204).send()
  const back = String(fields(request).back ?? '/')
  const local = /^\/(?![/\\])[\x21-\x7e]*$/.test(back)
  return reply.redirect(local ? back : '/', 303)
}
