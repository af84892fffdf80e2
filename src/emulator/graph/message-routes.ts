// Messages and folders: list (paged), get, create a draft, update, delete; mailFolders and their messages.
import type { EmulatorContext } from '../context.ts'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { User } from '../state/directory.ts'
import { requireMail } from './permissions.ts'
import { applyInput, newRecord, toAttachments, type MessageInput } from './compose.ts'
import { GraphError, ODATA_JSON } from './graph-error.ts'
import { graphRequest, owner } from './graph-request.ts'
import { mailboxRoute } from './mailbox-route.ts'
import { FOLDERS, MESSAGE_PROPERTIES, resolveFolder, type MessageRecord } from './message-model.ts'
import { folderView, messageView } from './message-views.ts'
import { baseUrl, metadataUrl, nextLink, orderBy, select, skip, top } from './odata.ts'
import { readBody } from './read-body.ts'
import { notFound } from './send-routes.ts'

// Properties that may change only while the message is a draft (Graph's message update reference).
const DRAFT_ONLY = [
  'subject',
  'body',
  'toRecipients',
  'ccRecipients',
  'bccRecipients',
  'replyTo',
  'from',
  'sender',
]

export function messageRoutes(scope: FastifyInstance, context: EmulatorContext): void {
  const store = context.mail
  const json = (reply: FastifyReply, body: unknown, status = 200) =>
    reply
      .code(status)
      .header('content-type', ODATA_JSON)
      .header('odata-version', '4.0')
      .send(JSON.stringify(body))
  const read = (request: FastifyRequest) => {
    requireMail(graphRequest(request).auth, 'mail.read')
    return owner(request)
  }
  const write = (request: FastifyRequest) => {
    requireMail(graphRequest(request).auth, 'mail.readwrite')
    return owner(request)
  }
  const findMessage = (user: User, request: FastifyRequest) => {
    const message = store.get(user.id, (request.params as { id: string }).id)
    if (!message) throw notFound()
    return message
  }
  const findFolder = (user: User, request: FastifyRequest) => {
    const raw = (request.params as { folder: string }).folder
    const folder = resolveFolder(user.id, raw)
    if (!folder)
      throw new GraphError(
        404,
        'ErrorItemNotFound',
        'The specified object was not found in the store.',
      )
    return folder
  }

  const list = (
    request: FastifyRequest,
    reply: FastifyReply,
    user: User,
    folder: string | undefined,
  ) => {
    rejectUnsupported(request)
    const selected = select(request, MESSAGE_PROPERTIES, 'message')
    const [count, offset, order] = [top(request), skip(request), orderBy(request)]
    const page = store.list(user.id, folder, order, count + 1, offset)
    const scopePath = folder
      ? `users('${user.id}')/mailFolders('${folder}')/messages`
      : `users('${user.id}')/messages`
    const body: Record<string, unknown> = {
      '@odata.context': metadataUrl(
        request,
        selected ? `${scopePath}(${selected.join(',')})` : scopePath,
      ),
      value: page
        .slice(0, count)
        .map((message) => messageView(message, baseUrl(request), selected)),
    }
    if (page.length > count) body['@odata.nextLink'] = nextLink(request, offset + count)
    return json(reply, body)
  }
  mailboxRoute(scope, 'GET', '/messages', { throttled: 'request' }, (request, reply) =>
    list(request, reply, read(request), undefined),
  )
  mailboxRoute(
    scope,
    'GET',
    '/mailFolders/:folder/messages',
    { throttled: 'request' },
    (request, reply) => {
      const user = read(request)
      return list(request, reply, user, findFolder(user, request))
    },
  )

  mailboxRoute(scope, 'GET', '/mailFolders', { throttled: 'request' }, (request, reply) => {
    const user = read(request)
    const counts = store.counts(user.id)
    const value = Object.keys(FOLDERS).map((name) =>
      folderView(user.id, name, counts.get(name) ?? { total: 0, unread: 0 }),
    )
    return json(reply, {
      '@odata.context': metadataUrl(request, `users('${user.id}')/mailFolders`),
      value,
    })
  })
  mailboxRoute(scope, 'GET', '/mailFolders/:folder', { throttled: 'request' }, (request, reply) => {
    const user = read(request)
    const folder = findFolder(user, request)
    const view = folderView(
      user.id,
      folder,
      store.counts(user.id).get(folder) ?? { total: 0, unread: 0 },
    )
    return json(reply, {
      '@odata.context': metadataUrl(request, `users('${user.id}')/mailFolders/$entity`),
      ...view,
    })
  })

  const single = (request: FastifyRequest, message: MessageRecord) => ({
    '@odata.context': metadataUrl(request, `users('${message.mailbox}')/messages/$entity`),
    ...messageView(message, baseUrl(request), select(request, MESSAGE_PROPERTIES, 'message')),
  })
  mailboxRoute(scope, 'GET', '/messages/:id', { throttled: 'request' }, (request, reply) =>
    json(reply, single(request, findMessage(read(request), request))),
  )

  mailboxRoute(scope, 'DELETE', '/messages/:id', { throttled: 'request' }, (request, reply) => {
    const message = findMessage(write(request), request)
    // Like Outlook: a first delete moves the message to Deleted Items, a delete there removes it.
    if (message.folder === 'deleteditems') store.delete(message.id)
    else
      store.update({
        ...message,
        folder: 'deleteditems',
        lastModifiedDateTime: new Date().toISOString(),
      })
    return reply.code(204).send()
  })

  const createDraft = (request: FastifyRequest, reply: FastifyReply, folder: string) => {
    const user = write(request)
    const input = readBody<MessageInput>(request.body ?? {}, 'message')
    const now = new Date().toISOString()
    const record = newRecord(user.id, folder, now)
    applyInput(record, input, context.directory)
    const attachments = toAttachments(input.attachments ?? [], record.id, now)
    record.hasAttachments = attachments.length > 0
    store.transaction(() => {
      store.insert(record)
      for (const attachment of attachments) store.addAttachment(attachment)
    })
    return json(reply, single(request, record), 201)
  }
  mailboxRoute(scope, 'POST', '/messages', { throttled: 'request' }, (request, reply) =>
    createDraft(request, reply, 'drafts'),
  )
  mailboxRoute(
    scope,
    'POST',
    '/mailFolders/:folder/messages',
    { throttled: 'request' },
    (request, reply) => createDraft(request, reply, findFolder(owner(request), request)),
  )

  mailboxRoute(scope, 'PATCH', '/messages/:id', { throttled: 'request' }, (request, reply) => {
    const message = findMessage(write(request), request)
    const input = readBody<MessageInput>(request.body ?? {}, 'message')
    if (!message.isDraft) {
      const locked = DRAFT_ONLY.find((name) => name in input)
      if (locked) {
        throw new GraphError(
          400,
          'ErrorInvalidPropertyUpdateSentMessage',
          `Update of property '${locked}' is not allowed on a sent message.`,
        )
      }
    }
    if (input.attachments)
      throw new GraphError(400, 'ErrorInvalidRequest', 'Add attachments with POST …/attachments.')
    applyInput(message, input, context.directory)
    message.lastModifiedDateTime = new Date().toISOString()
    store.update(message)
    return json(reply, single(request, message))
  })
}

function rejectUnsupported(request: FastifyRequest): void {
  for (const key of Object.keys(request.query as object)) {
    if (/^\$?(filter|search|expand)$/i.test(key)) {
      throw new GraphError(
        400,
        'BadRequest',
        `The emulator does not support the query option '${key}' on message lists.`,
      )
    }
  }
}
