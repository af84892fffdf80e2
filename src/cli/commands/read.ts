/** `read ID`: one message — its headers, its attachments named, its body as text (HTML converted to readable text). */
import { convert } from 'html-to-text'
import type { Message, Recipient } from '@microsoft/microsoft-graph-types'
import { reportFailure } from '../cli-failure.ts'
import { sessionOrExit } from '../cli-session.ts'
import { EXIT, type Command, type OptionValues } from '../command.ts'
import {
  CONNECTION_HELP,
  CONNECTION_OPTION,
  formatAndConnection,
  settingsOrExit,
  usageProblem,
} from '../common-options.ts'
import { formatRecord, OUTPUT_HELP, OUTPUT_OPTION } from '../output.ts'
import { size } from '../send-report.ts'

export const readCommand: Command = {
  name: 'read',
  summary: 'show one message: headers, attachments, and the body as text',
  synopsis: '<message id> [--mailbox <address>] [--output text|json|csv|md]',
  details: [
    'The id is the one `graph-connect messages` lists. An HTML body is shown as readable text (links kept).',
    '--mailbox <addr>    another mailbox: shared (delegated rights) or any one (app-only: required)',
    CONNECTION_HELP,
    OUTPUT_HELP,
  ],
  options: { ...CONNECTION_OPTION, ...OUTPUT_OPTION, mailbox: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  oneShot: true,
  run: (values, positionals) => read(values, positionals[0]!),
}

const LABELS: Record<string, string> = {
  from: 'From',
  to: 'To',
  cc: 'Cc',
  date: 'Date',
  subject: 'Subject',
  importance: 'Importance',
  attachments: 'Attachments',
  internetMessageId: 'Message-ID',
}

async function read(values: OptionValues, id: string): Promise<number> {
  const options = formatAndConnection('read', values)
  if (typeof options === 'number') return options
  const { format, name } = options
  const settings = settingsOrExit()
  if (typeof settings === 'number') return settings
  const session = await sessionOrExit(settings, name)
  if (typeof session === 'number') return session
  try {
    const mailbox = values.mailbox as string | undefined
    if (session.record.kind === 'app-only' && !mailbox)
      return usageProblem(
        'read',
        'an app-only connection has no mailbox of its own: add --mailbox <address>.',
      )
    const graph = session.graph(mailbox)
    const message = await graph.getMessage(id)
    const attachments = message.hasAttachments ? await graph.listAttachments(id) : []
    const shown = {
      id: message.id,
      from: person(message.from),
      to: (message.toRecipients ?? []).map(person),
      cc: (message.ccRecipients ?? []).map(person),
      date: message.receivedDateTime ?? message.sentDateTime,
      subject: message.subject ?? '',
      importance: message.importance === 'normal' ? undefined : message.importance,
      attachments: attachments.map((file) => `${file.name} (${size(file.size)})`),
      internetMessageId: message.internetMessageId || undefined,
      isRead: message.isRead,
      body: bodyText(message),
    }
    if (format !== 'text') {
      process.stdout.write(
        formatRecord(shown, { id: 'Id', ...LABELS, isRead: 'Read', body: 'Body' }, format),
      )
      return EXIT.ok
    }
    const headers = formatRecord(
      {
        ...shown,
        cc: shown.cc.length ? shown.cc : undefined,
        attachments: shown.attachments.length ? shown.attachments : undefined,
      },
      LABELS,
      'text',
    )
    process.stdout.write(`${headers}\n${shown.body.trimEnd()}\n`)
    return EXIT.ok
  } catch (error) {
    return reportFailure(error, { connection: name })
  } finally {
    await session.close()
  }
}

const person = (recipient: Recipient | null | undefined) => {
  const address = recipient?.emailAddress
  if (!address) return ''
  return address.name && address.name !== address.address
    ? `${address.name} <${address.address}>`
    : (address.address ?? '')
}

/** The body as text: HTML through html-to-text (headings, lists, tables and links kept readable), text as it is. */
export function bodyText(message: Message): string {
  const content = message.body?.content ?? ''
  if (message.body?.contentType !== 'html') return content
  return convert(content, {
    wordwrap: 100,
    selectors: [
      { selector: 'img', format: 'skip' },
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    ],
  })
}
