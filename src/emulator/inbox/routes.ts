/**
 * inboxRoutes: the emulator's home page, a mail viewer over every mailbox (tenant users + External) — All mail and
 * search, folders, the reading pane, the sandboxed body, attachments, the MIME source, profile photos, its assets —
 * and its actions (inboxActions). Pages under a CSP without inline code; mail HTML never runs.
 */
import { readFileSync } from 'node:fs'
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import { messageMime } from '../graph/message-mime.ts'
import { escapeHtml } from '../html.ts'
import { inboxActions } from './actions.ts'
import { inboxStrings } from './i18n/index.ts'
import {
  allMailPage,
  folderPage,
  notFoundPage,
  type FolderParams,
  type ListQuery,
} from './listing.ts'

const PAGE_CSP =
  "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
// Mail HTML is untrusted: no scripts, no network, an opaque origin; inline styles only (mail relies on them).
const DEFAULT_BODY_STYLE =
  "<style>body{font:14px/1.5 'Segoe UI',system-ui,sans-serif;color:#242424}</style>"
const BODY_CSP =
  "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'"
/** Files served as they are: nothing in them runs but what they are (no sniffing, a sandbox). */
const FILE_CSP = "sandbox; default-src 'none'"
const ASSETS: Record<string, { type: string; body: Buffer }> = {
  'inbox.css': { type: 'text/css; charset=utf-8', body: asset('inbox.css') },
  'inbox.js': { type: 'text/javascript; charset=utf-8', body: asset('inbox.js') },
}

function asset(name: string): Buffer {
  return readFileSync(new URL(`./${name}`, import.meta.url))
}

export async function inboxRoutes(app: FastifyInstance, context: EmulatorContext): Promise<void> {
  app.addHook('onSend', async (_request, reply, payload) => {
    // same-origin: the viewer's own forms carry their Origin (no-referrer would make it "null"); other sites get nothing.
    reply.header('x-content-type-options', 'nosniff').header('referrer-policy', 'same-origin')
    if (!reply.hasHeader('content-security-policy'))
      reply.header('content-security-policy', PAGE_CSP)
    return payload
  })
  type List = { Params: FolderParams; Querystring: ListQuery }
  type All = { Params: { id?: string }; Querystring: ListQuery }
  app.get<All>('/', async (request, reply) => allMailPage(context, request, reply))
  app.get<All>('/all/:id', async (request, reply) => allMailPage(context, request, reply))
  app.get('/inbox', async (_request, reply) => reply.redirect('/'))
  app.get<{ Params: { name: string } }>('/inbox/:name', async (request, reply) => {
    const file = ASSETS[request.params.name]
    if (!file) return notFoundPage(reply, inboxStrings(request))
    return reply.type(file.type).header('cache-control', 'no-cache').send(file.body)
  })
  app.get<List>('/inbox/:mailbox/:folder', async (request, reply) =>
    folderPage(context, request, reply),
  )
  app.get<List>('/inbox/:mailbox/:folder/:id', async (request, reply) =>
    folderPage(context, request, reply),
  )
  fileRoutes(app, context)
  await app.register((scope) => inboxActions(scope, context))
}

/** The body, attachments, MIME source and photos: each served alone, under a CSP that runs nothing. */
function fileRoutes(app: FastifyInstance, context: EmulatorContext): void {
  type ById = { Params: { id: string } }
  app.get<ById>('/inbox/body/:id', async (request, reply) => {
    const message = context.mail.getById(request.params.id)
    if (!message) return notFoundPage(reply, inboxStrings(request))
    // Like a mail client, a default font first; the message's own styles come later and win.
    const content =
      message.body.contentType === 'html'
        ? `${DEFAULT_BODY_STYLE}${message.body.content}`
        : `<!doctype html><meta charset="utf-8"><pre style="white-space:pre-wrap;font:14px/1.5 'Segoe UI',system-ui,sans-serif;margin:0">${escapeHtml(message.body.content)}</pre>`
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', BODY_CSP)
      .header('cache-control', 'no-store')
      .send(content)
  })
  app.get<ById>('/inbox/raw/:id', async (request, reply) => {
    const message = context.mail.getById(request.params.id)
    if (!message) return notFoundPage(reply, inboxStrings(request))
    const mime = messageMime(message, context.mail.attachments(message.id))
    return fileReply(reply, 'text/plain; charset=utf-8').send(mime)
  })
  app.get<ById>('/inbox/photo/:id', async (request, reply) => {
    const photo = context.directory.userPhoto(request.params.id)
    if (!photo) return notFoundPage(reply, inboxStrings(request))
    return fileReply(reply, photo.contentType)
      .header('cache-control', 'private, max-age=600')
      .send(Buffer.from(photo.bytes))
  })
  app.get<{ Params: { messageId: string; attachmentId: string } }>(
    '/inbox/attachment/:messageId/:attachmentId',
    async (request, reply) => {
      const { messageId, attachmentId } = request.params
      const attachment = context.mail.attachment(messageId, attachmentId)
      if (!attachment) return notFoundPage(reply, inboxStrings(request))
      const ascii = attachment.name.replace(/[^\x20-\x7e]|["\\]/g, '_')
      return fileReply(reply, 'application/octet-stream')
        .header(
          'content-disposition',
          `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(attachment.name)}`,
        )
        .send(Buffer.from(attachment.bytes))
    },
  )
}

const fileReply = (reply: FastifyReply, type: string) =>
  reply.type(type).header('content-security-policy', FILE_CSP).header('cache-control', 'no-store')
