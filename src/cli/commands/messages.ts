/** `messages`: a mail folder's newest messages (--folder, --top, --unread, --search), as a table or as data. */
import type { Message } from '@microsoft/microsoft-graph-types'
import { GraphError, type GraphClient } from '../../core/index.ts'
import { reportFailure, say } from '../cli-failure.ts'
import { sessionOrExit } from '../cli-session.ts'
import { EXIT, type Command, type OptionValues } from '../command.ts'
import {
  CONNECTION_HELP,
  CONNECTION_OPTION,
  formatAndConnection,
  settingsOrExit,
  usageProblem,
} from '../common-options.ts'
import { formatTable, OUTPUT_HELP, OUTPUT_OPTION } from '../output.ts'

const SELECT = [
  'id',
  'receivedDateTime',
  'from',
  'subject',
  'isRead',
  'hasAttachments',
  'importance',
]

export const messagesCommand: Command = {
  name: 'messages',
  summary: 'list a mail folder’s newest messages',
  synopsis: '[--folder inbox] [--top 10] [--unread] [--search <words>] [--mailbox <address>]',
  details: [
    '--folder <f>        inbox (default), sentitems, drafts, deleteditems, junkemail, archive, or a folder id',
    '--top <n>           how many, newest first (1 to 1000, default 10)',
    '--unread            unread ones only',
    '--search <words>    Graph’s search (KQL) over the mailbox; the emulator does not offer it (exit 1)',
    '--mailbox <addr>    another mailbox: shared (delegated rights) or any one (app-only: required)',
    CONNECTION_HELP,
    OUTPUT_HELP,
    'The id column is what `graph-connect read <id>` takes.',
  ],
  options: {
    ...CONNECTION_OPTION,
    ...OUTPUT_OPTION,
    folder: { type: 'string', default: 'inbox' },
    top: { type: 'string', default: '10' },
    unread: { type: 'boolean' },
    search: { type: 'string' },
    mailbox: { type: 'string' },
  },
  oneShot: true,
  run: (values) => messages(values),
}

async function messages(values: OptionValues): Promise<number> {
  const options = formatAndConnection('messages', values)
  if (typeof options === 'number') return options
  const { format, name } = options
  const top = /^\d+$/.test(String(values.top)) ? Number(values.top) : Number.NaN
  if (!(top >= 1 && top <= 1000))
    return usageProblem('messages', `--top must be a number from 1 to 1000, got "${values.top}".`)
  const settings = settingsOrExit()
  if (typeof settings === 'number') return settings
  const session = await sessionOrExit(settings, name)
  if (typeof session === 'number') return session
  try {
    const mailbox = values.mailbox as string | undefined
    if (session.record.kind === 'app-only' && !mailbox)
      return usageProblem(
        'messages',
        'an app-only connection has no mailbox of its own: add --mailbox <address>.',
      )
    const graph = session.graph(mailbox)
    const folder = String(values.folder)
    const list = await listFolder(
      graph,
      folder,
      top,
      Boolean(values.unread),
      values.search as string | undefined,
    )
    const columns = format === 'text' ? COLUMNS : DATA_COLUMNS
    process.stdout.write(
      formatTable(
        list.map(row),
        columns,
        format,
        `No ${values.unread ? 'unread ' : ''}message in ${folder}.`,
      ),
    )
    return EXIT.ok
  } catch (error) {
    if (unsupported(error, 'search')) {
      say(
        'this Graph (the emulator) does not support --search ($search on message lists); Microsoft Graph does. Run without --search.',
      )
      return EXIT.failed
    }
    return reportFailure(error, { connection: name })
  } finally {
    await session.close()
  }
}

const COLUMNS = [
  { key: 'received', title: 'Received' },
  { key: 'flags', title: ' ' },
  { key: 'from', title: 'From' },
  { key: 'subject', title: 'Subject' },
  { key: 'id', title: 'Id' },
]

/** csv and md: the values, not the terminal's marks. */
const DATA_COLUMNS = [
  { key: 'receivedDateTime', title: 'receivedDateTime' },
  { key: 'from', title: 'from' },
  { key: 'subject', title: 'subject' },
  { key: 'isRead', title: 'isRead' },
  { key: 'hasAttachments', title: 'hasAttachments' },
  { key: 'importance', title: 'importance' },
  { key: 'id', title: 'id' },
]

function row(message: Message): Record<string, unknown> {
  const address = message.from?.emailAddress
  return {
    id: message.id,
    received: message.receivedDateTime?.replace('T', ' ').slice(0, 16),
    receivedDateTime: message.receivedDateTime,
    flags: `${message.isRead ? ' ' : '*'}${message.hasAttachments ? '@' : ' '}${message.importance === 'high' ? '!' : ' '}`,
    from: address ? (address.name ? `${address.name} <${address.address}>` : address.address) : '',
    subject: message.subject ?? '',
    isRead: message.isRead,
    hasAttachments: message.hasAttachments,
    importance: message.importance,
  }
}

/** True when the answer is a 400 refusing that query option (the emulator refuses $search on lists). */
function unsupported(error: unknown, option: 'search'): boolean {
  return (
    error instanceof GraphError &&
    error.httpStatus === 400 &&
    new RegExp(`\\$?${option}`, 'i').test(error.message.split('→')[1] ?? '')
  )
}

/** The folder's newest `top` messages; --unread is Graph's `isRead eq false`, --search its KQL search. */
async function listFolder(
  graph: GraphClient,
  folder: string,
  top: number,
  unread: boolean,
  search: string | undefined,
): Promise<Message[]> {
  const query = { top, select: SELECT, search, ...(unread ? { filter: 'isRead eq false' } : {}) }
  return (await graph.listMessagePage(folder, query)).messages
}
