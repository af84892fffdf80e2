// controlRoutes: the loopback-only control and inspection API under /_emulator/ (see docs/EMULATOR-CONTROL.md).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import { GraphError } from '../graph/graph-error.ts'
import {
  EXTERNAL,
  FOLDERS,
  attachmentView,
  messageView,
  type MessageRecord,
} from '../graph/message-model.ts'
import type { ThrottleSetting } from '../graph/throttle.ts'
import type { Fault } from './faults.ts'

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1'])
const ORDER = { field: 'receivedDateTime', descending: true } as const

export async function controlRoutes(app: FastifyInstance, context: EmulatorContext): Promise<void> {
  const { journal, faults, mail: store, throttle } = context
  const fail = (reply: FastifyReply, status: number, code: string, message: string) =>
    reply.code(status).send({ error: { code, message } })

  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/_emulator/')) return
    if (!LOOPBACK.has(request.socket.remoteAddress ?? ''))
      return fail(reply, 403, 'Forbidden', 'The control API answers loopback clients only.')
  })
  app.setErrorHandler((error: FastifyError | GraphError, _request, reply) => {
    if (error instanceof GraphError) return fail(reply, error.status, error.code, error.message)
    return fail(reply, error.statusCode ?? 500, error.code ?? 'Error', error.message)
  })

  app.get('/_emulator/mark', async () => ({ seq: journal.mark() }))
  app.get('/_emulator/journal', async (request) => {
    const query = request.query as { since?: string; method?: string; path?: string }
    const since = Number(query.since ?? 0)
    if (!Number.isInteger(since) || since < 0)
      throw new GraphError(
        400,
        'InvalidSince',
        'since must be a sequence number from /_emulator/mark.',
      )
    let path: RegExp | undefined
    try {
      path = query.path ? new RegExp(query.path) : undefined
    } catch {
      throw new GraphError(400, 'InvalidPath', 'path must be a regular expression.')
    }
    const entries = journal.since(since, { method: query.method, path })
    return { entries, next: Math.max(since, journal.mark()) }
  })

  app.get('/_emulator/faults', async () => ({ faults: faults.list() }))
  app.post('/_emulator/faults', async (request, reply) =>
    reply.code(201).send(publicFault(faults.add(request.body))),
  )
  app.delete('/_emulator/faults', async (_request, reply) => {
    faults.clear()
    return reply.code(204).send()
  })

  app.post('/_emulator/reset', async (_request, reply) => {
    context.reset()
    return reply.code(204).send()
  })

  app.get('/_emulator/throttling', async () => ({ throttling: throttle.limits() }))
  app.post('/_emulator/throttling', async (request) => {
    const body = request.body as ThrottleSetting | { enabled?: boolean } | null
    if (body !== false && (typeof body !== 'object' || body === null)) {
      throw new GraphError(
        400,
        'InvalidThrottling',
        'Send false, {"enabled":false} or {concurrent, requestsPer10Min, sendsPerMinute, …}.',
      )
    }
    throttle.configure(
      body === false || (body as { enabled?: boolean }).enabled === false
        ? false
        : (body as ThrottleSetting),
    )
    return { throttling: throttle.limits() }
  })

  app.get('/_emulator/mailboxes', async () => {
    const mailboxes = [
      ...context.directory.listUsers().map((user) => ({
        id: user.id,
        userPrincipalName: user.userPrincipalName,
        displayName: user.displayName,
      })),
      { id: EXTERNAL, userPrincipalName: EXTERNAL, displayName: 'External recipients' },
    ]
    return {
      mailboxes: mailboxes.map((mailbox) => ({
        ...mailbox,
        folders: Object.fromEntries(store.counts(mailbox.id)),
      })),
    }
  })
  app.get('/_emulator/mailboxes/:mailbox/messages', async (request, reply) => {
    const { mailbox } = request.params as { mailbox: string }
    const folder = (request.query as { folder?: string }).folder?.toLowerCase()
    if (folder !== undefined && !FOLDERS[folder])
      return fail(
        reply,
        400,
        'InvalidFolder',
        `Unknown folder '${folder}'; use one of ${Object.keys(FOLDERS).join(', ')}.`,
      )
    const user = context.directory.findUser(mailbox)
    const key = user ? user.id : EXTERNAL
    if (!user && mailbox.toLowerCase() !== EXTERNAL && !mailbox.includes('@'))
      return fail(reply, 404, 'MailboxNotFound', `No mailbox '${mailbox}'.`)
    let messages = store.list(key, folder, ORDER, 100_000, 0)
    // An address outside the tenant: the External outbox, narrowed to mail addressed to it.
    if (!user && mailbox.includes('@'))
      messages = messages.filter((message) => addressedTo(message, mailbox))
    return { mailbox: key, value: messages.map((message) => fullMessage(request, message)) }
  })

  function fullMessage(request: FastifyRequest, message: MessageRecord) {
    const attachments = store
      .attachments(message.id)
      .map((attachment) => attachmentView(attachment))
    return {
      ...messageView(message, `${request.protocol}://${request.host}`),
      folder: message.folder,
      mailbox: message.mailbox,
      attachments,
    }
  }
}

function addressedTo(message: MessageRecord, address: string): boolean {
  const wanted = address.toLowerCase()
  return [...message.toRecipients, ...message.ccRecipients, ...message.bccRecipients].some(
    (recipient) => recipient.emailAddress.address.toLowerCase() === wanted,
  )
}

const publicFault = ({ pattern: _pattern, ...fault }: Fault) => fault
