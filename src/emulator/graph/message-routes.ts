/**
 * Messages and folders: list (paged, `$filter`, `$count`), count, get (JSON or MIME), create a draft, update, delete;
 * mailFolders and their messages. Ids are default ids, or immutable ones under `Prefer: IdType="ImmutableId"`; either
 * is accepted.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import type { User } from '../state/directory.ts'
import { applyInput, newRecord, toAttachments, type MessageInput } from './compose.ts'
import { expandMessage, expansionView, readMessageExpand } from './expand.ts'
import { GraphError } from './graph-error.ts'
import { owner } from './graph-request.ts'
import { mailboxRoute } from './mailbox-route.ts'
import { checkFilterOrder, messageFilter } from './message-filter.ts'
import { messageMime } from './message-mime.ts'
import {
  FOLDERS,
  MESSAGE_PROPERTIES,
  newInternetMessageId,
  resolveFolder,
  type MessageRecord,
} from './message-model.ts'
import { folderView, messageView } from './message-views.ts'
import {
  baseUrl,
  countOption,
  metadataUrl,
  nextLink,
  option,
  orderBy,
  select,
  selectView,
  sendOData,
  skip,
  top,
} from './odata.ts'
import { wantsImmutableIds } from './prefer.ts'
import { readBody } from './read-body.ts'
import { moveMessage } from './message-actions.ts'
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

type Handler = (
  context: EmulatorContext,
  request: FastifyRequest,
  reply: FastifyReply,
) => FastifyReply

export function messageRoutes(scope: FastifyInstance, context: EmulatorContext): void {
  const route = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', suffix: string, handler: Handler) =>
    mailboxRoute(scope, method, suffix, { throttled: 'request' }, (request, reply) =>
      handler(context, request, reply),
    )
  route('GET', '/messages', (context, request, reply) =>
    listMessages(context, request, reply, owner(request), undefined),
  )
  route('GET', '/mailFolders/:folder/messages', (context, request, reply) => {
    const user = owner(request)
    return listMessages(context, request, reply, user, findFolder(user, request))
  })
  route('GET', '/messages/$count', (context, request, reply) =>
    countMessages(context, request, reply, owner(request), undefined),
  )
  route('GET', '/mailFolders/:folder/messages/$count', (context, request, reply) => {
    const user = owner(request)
    return countMessages(context, request, reply, user, findFolder(user, request))
  })
  route('GET', '/mailFolders', listFolders)
  route('GET', '/mailFolders/:folder', getFolder)
  route('GET', '/messages/:id', (context, request, reply) => {
    const message = findMessage(context, owner(request), request)
    return sendOData(reply, {
      ...single(request, reply, message),
      ...expandMessage(request, context.mail, message),
    })
  })
  // The MIME document (RFC 5322), with the text/plain content type Graph gives it.
  route('GET', '/messages/:id/$value', (context, request, reply) => {
    const message = findMessage(context, owner(request), request)
    const mime = messageMime(message, context.mail.attachments(message.id))
    return reply.type('text/plain').send(mime)
  })
  route('DELETE', '/messages/:id', deleteMessage)
  route('POST', '/messages', (context, request, reply) =>
    createDraft(context, request, reply, 'drafts'),
  )
  route('POST', '/mailFolders/:folder/messages', (context, request, reply) =>
    createDraft(context, request, reply, findFolder(owner(request), request)),
  )
  route('PATCH', '/messages/:id', updateMessage)
}

/** The message the route's `:id` names (a default or an immutable id); ErrorItemNotFound otherwise. */
export function findMessage(context: EmulatorContext, user: User, request: FastifyRequest) {
  const message = context.mail.get(user.id, (request.params as { id: string }).id)
  if (!message) throw notFound()
  return message
}

function findFolder(user: User, request: FastifyRequest): string {
  const folder = resolveFolder(user.id, (request.params as { folder: string }).folder)
  if (!folder)
    throw new GraphError(
      404,
      'ErrorItemNotFound',
      'The specified object was not found in the store.',
    )
  return folder
}

/** A message as Graph answers it alone, with its @odata.context and the $select and id type of the request. */
export function single(request: FastifyRequest, reply: FastifyReply, message: MessageRecord) {
  const immutable = wantsImmutableIds(request, reply)
  const selected = select(request, MESSAGE_PROPERTIES, 'message')
  return {
    '@odata.context': metadataUrl(request, `users('${message.mailbox}')/messages/$entity`),
    ...messageView(message, baseUrl(request), selected, { immutable }),
  }
}

/** The list's compiled `$filter` and order; Outlook's InefficientFilter when `$orderby` fights the filter. */
function listQuery(request: FastifyRequest) {
  const text = option(request, 'filter')
  const filter = text === undefined || text.trim() === '' ? undefined : messageFilter(text)
  const order = orderBy(request)
  if (filter && option(request, 'orderby') !== undefined) checkFilterOrder(filter.properties, order)
  return { where: filter?.where, order }
}

function listMessages(
  context: EmulatorContext,
  request: FastifyRequest,
  reply: FastifyReply,
  user: User,
  folder: string | undefined,
) {
  rejectUnsupported(request, true)
  const expansion = readMessageExpand(request, true)
  const selected = select(request, MESSAGE_PROPERTIES, 'message')
  const [count, offset] = [top(request), skip(request)]
  const { where, order } = listQuery(request)
  const immutable = wantsImmutableIds(request, reply)
  const page = context.mail.query(user.id, folder, where, order, count + 1, offset)
  const scopePath = folder
    ? `users('${user.id}')/mailFolders('${folder}')/messages`
    : `users('${user.id}')/messages`
  const fragment = selected ? `${scopePath}(${selected.join(',')})` : scopePath
  const body: Record<string, unknown> = { '@odata.context': metadataUrl(request, fragment) }
  if (countOption(request)) body['@odata.count'] = context.mail.count(user.id, folder, where)
  body.value = page.slice(0, count).map((message) => ({
    ...messageView(message, baseUrl(request), selected, { immutable }),
    ...expansionView(request, context.mail, message, expansion),
  }))
  if (page.length > count) body['@odata.nextLink'] = nextLink(request, offset + count)
  return sendOData(reply, body)
}

/** `…/messages/$count`: the number alone, as text. */
function countMessages(
  context: EmulatorContext,
  request: FastifyRequest,
  reply: FastifyReply,
  user: User,
  folder: string | undefined,
) {
  rejectUnsupported(request)
  const { where } = listQuery(request)
  const total = context.mail.count(user.id, folder, where)
  return reply.header('content-type', 'text/plain').send(String(total))
}

function listFolders(context: EmulatorContext, request: FastifyRequest, reply: FastifyReply) {
  const user = owner(request)
  const counts = context.mail.counts(user.id)
  const value = Object.keys(FOLDERS).map((name) =>
    selectView(
      request,
      'mailFolder',
      folderView(user.id, name, counts.get(name) ?? { total: 0, unread: 0 }),
    ),
  )
  const odataContext = metadataUrl(request, `users('${user.id}')/mailFolders`)
  return sendOData(reply, { '@odata.context': odataContext, value })
}

function getFolder(context: EmulatorContext, request: FastifyRequest, reply: FastifyReply) {
  const user = owner(request)
  const folder = findFolder(user, request)
  const counts = context.mail.counts(user.id).get(folder) ?? { total: 0, unread: 0 }
  return sendOData(reply, {
    '@odata.context': metadataUrl(request, `users('${user.id}')/mailFolders/$entity`),
    ...selectView(request, 'mailFolder', folderView(user.id, folder, counts)),
  })
}

/**
 * Like Outlook: a first delete moves the message to Deleted Items (a move: a new default id, the same immutable
 * one), a delete there removes it.
 */
function deleteMessage(context: EmulatorContext, request: FastifyRequest, reply: FastifyReply) {
  const message = findMessage(context, owner(request), request)
  if (message.folder === 'deleteditems') context.mail.delete(message.id)
  else moveMessage(context, message, 'deleteditems')
  return reply.code(204).send()
}

function createDraft(
  context: EmulatorContext,
  request: FastifyRequest,
  reply: FastifyReply,
  folder: string,
) {
  const user = owner(request)
  const input = readBody<MessageInput>(request.body ?? {}, 'message')
  const now = new Date().toISOString()
  const record = newRecord(user.id, folder, now)
  // Exchange gives a draft its Message-ID when it is created; the sent copies keep it.
  record.internetMessageId = newInternetMessageId(context.directory.tenant.domain)
  applyInput(record, input, context.directory)
  const attachments = toAttachments(input.attachments ?? [], record.id, now)
  record.hasAttachments = attachments.length > 0
  context.mail.transaction(() => {
    context.mail.insert(record)
    for (const attachment of attachments) context.mail.addAttachment(attachment)
  })
  return sendOData(reply, single(request, reply, record), 201)
}

function updateMessage(context: EmulatorContext, request: FastifyRequest, reply: FastifyReply) {
  const message = findMessage(context, owner(request), request)
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
  context.mail.update(message)
  return sendOData(reply, single(request, reply, message))
}

/** `$search` (and `$expand`, unless `expandable`: lists expand extended properties only) are not emulated. */
function rejectUnsupported(request: FastifyRequest, expandable = false): void {
  for (const key of Object.keys(request.query as object)) {
    if (/^\$?search$/i.test(key) || (!expandable && /^\$?expand$/i.test(key))) {
      throw new GraphError(
        400,
        'BadRequest',
        `The emulator does not support the query option '${key}' on message lists.`,
      )
    }
  }
}
