/**
 * `send`: one mail through Microsoft Graph with core's rules — sendMail, or a draft with upload sessions for large
 * attachments (a progress bar on a terminal) — or `--draft` to leave it in Drafts. An ambiguous answer is never retried:
 * exit 5, check Sent Items.
 */
import { randomUUID } from 'node:crypto'
import {
  GraphError,
  composeMessage,
  findSent,
  mayFindSent,
  saveParsedDraft,
  sendParsedMail,
  type GraphClient,
  type MailGraph,
  type ParsedMail,
} from '../../core/index.ts'
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
import { readMailInput } from '../mail-input.ts'
import { OUTPUT_HELP, OUTPUT_OPTION } from '../output.ts'
import { progressBar, type ProgressBar } from '../progress-bar.ts'
import { sentReport, type SendResult } from '../send-report.ts'

export const sendCommand: Command = {
  name: 'send',
  summary:
    'send a mail (or save a draft) as the signed-in user, a shared mailbox, or any mailbox app-only',
  synopsis:
    '--to <addr> [--cc <addr>] [--bcc <addr>] [--subject <s>] [--body <text|-> | --body-file <file|->] [--attach <file>]…',
  details: [
    '--to, --cc, --bcc   recipients: repeat the option, or separate with commas',
    '--subject <s>       one line, up to 255 characters',
    '--body <text>       the body; "-" reads it from stdin',
    '--body-file <f>     the body from a file ("-": stdin); .html/.htm is HTML, .md Markdown',
    '--format <f>        text, html, or markdown (rendered to HTML with marked); default from the file, else text',
    '--attach <file>     any file up to 150 MB (repeat); over 3 MB they go up in 4 MB ranges through a draft',
    '--importance <i>    low, normal (default) or high',
    '--from <mailbox>    send from another mailbox: a shared one (delegated rights), or any one (app-only: required)',
    '--no-save           no copy in Sent Items (sendMail only: Graph keeps a copy of a sent draft)',
    '--draft             create the message in Drafts and do not send it',
    CONNECTION_HELP,
    OUTPUT_HELP,
    'Everything is checked before anything is sent. The internetMessageId is printed when Graph tells it (after a',
    'send through a draft); sendMail answers 202 with no id. Exit 5: the outcome is unknown, it was not retried.',
  ],
  options: {
    ...CONNECTION_OPTION,
    ...OUTPUT_OPTION,
    to: { type: 'string', multiple: true },
    cc: { type: 'string', multiple: true },
    bcc: { type: 'string', multiple: true },
    subject: { type: 'string', short: 's' },
    body: { type: 'string', short: 'b' },
    'body-file': { type: 'string' },
    format: { type: 'string' },
    attach: { type: 'string', multiple: true, short: 'a' },
    importance: { type: 'string' },
    from: { type: 'string' },
    'no-save': { type: 'boolean' },
    draft: { type: 'boolean' },
  },
  oneShot: true,
  run: (values) => send(values),
}

async function send(values: OptionValues): Promise<number> {
  const options = formatAndConnection('send', values)
  if (typeof options === 'number') return options
  const { format, name } = options
  const settings = settingsOrExit()
  if (typeof settings === 'number') return settings
  const input = readMailInput(values)
  if (!input.ok) {
    for (const line of input.lines) process.stderr.write(`graph-connect send: ${line}\n`)
    return input.exit
  }
  const from = values.from as string | undefined
  const session = await sessionOrExit(settings, name)
  if (typeof session === 'number') return session
  try {
    if (session.record.kind === 'app-only' && !from)
      return usageProblem(
        'send',
        'an app-only connection has no mailbox of its own: say which one sends with --from <address>.',
      )
    const graph = session.graph(from)
    const sender = from ?? session.record.account?.username ?? ''
    const mayLook = async () => mayFindSent(await session.permissions())
    const result = await deliver(graph, input.parsed, Boolean(values.draft), mayLook)
    process.stdout.write(sentReport({ ...result, from: sender, parsed: input.parsed }, format))
    return EXIT.ok
  } catch (error) {
    return reportFailure(error, { connection: name })
  } finally {
    await session.close()
  }
}

/** Sends (or saves the draft), with a progress bar per large attachment; learns the internetMessageId if Graph tells. */
async function deliver(
  graph: GraphClient,
  parsed: ParsedMail,
  draftOnly: boolean,
  mayLook: () => Promise<boolean>,
): Promise<SendResult> {
  const mail = withProgress(graph)
  if (draftOnly) {
    const draft = await saveParsedDraft(mail, parsed)
    return {
      status: 'draft',
      path: 'draft',
      draftId: draft.id,
      internetMessageId: draft.internetMessageId || undefined,
    }
  }
  const key = randomUUID()
  let outcome
  try {
    outcome = await sendParsedMail(mail, parsed, { key })
  } catch (error) {
    const confirmed = await confirmSent(graph, error, key, parsed, mayLook)
    if (!confirmed) throw error
    return confirmed
  }
  if (!outcome.draft) return { status: 'sent', path: 'sendMail', internetMessageId: undefined }
  // Graph gives a draft its internetMessageId when it creates it and keeps it on send. Where a server gave none, the
  // message is read once by the draft's id — a read, never a second send (Graph gives a sent draft a new id: then
  // the 404 leaves it "not known").
  const known =
    outcome.draft.internetMessageId ||
    (await graph
      .getMessage(outcome.draft.id, ['internetMessageId'])
      .then((message) => message.internetMessageId ?? undefined)
      .catch(() => undefined))
  return { status: 'sent', path: 'draft', internetMessageId: known || undefined }
}

/** The Graph calls of a send, a progress bar drawn (on a terminal) while each upload session fills. */
function withProgress(graph: GraphClient): MailGraph {
  let bar: ProgressBar | undefined
  return {
    sendMail: graph.sendMail,
    createDraft: graph.createDraft,
    addAttachment: graph.addAttachment,
    sendDraft: graph.sendDraft,
    deleteMessage: graph.deleteMessage,
    async createUploadSession(messageId, item) {
      const session = await graph.createUploadSession(messageId, item)
      bar = progressBar(item.name ?? 'attachment', item.size ?? 0)
      bar.update(0)
      return session
    },
    async uploadRange(url, bytes, start, total) {
      const answer = await graph.uploadRange(url, bytes, start, total)
      bar?.update(start + bytes.byteLength)
      if (start + bytes.byteLength >= total) bar?.finish()
      return answer
    },
  }
}

/**
 * RE-04 for the command line: when the send's answer was lost and the connection may read the mailbox's mail, its
 * copy in Sent Items is looked up by the key the message carried (three lookups over about 1.5 s, never a resend).
 * The result when it is there; undefined otherwise, and the caller reports the unknown outcome (exit 5) as before.
 */
async function confirmSent(
  graph: GraphClient,
  error: unknown,
  key: string,
  parsed: ParsedMail,
  mayLook: () => Promise<boolean>,
): Promise<SendResult | undefined> {
  if (!(error instanceof GraphError) || error.outcome !== 'unknown') return undefined
  const draftPath = composeMessage(parsed).deferredAttachments.length > 0
  if (!(parsed.saveToSentItems || draftPath)) return undefined // no copy to find
  if (!(await mayLook().catch(() => false))) return undefined
  const found = await findSent(graph, key, { checks: 3, settleMs: 500 }).catch(() => undefined)
  if (found?.found !== 'sent') return undefined
  return {
    status: 'sent',
    path: draftPath ? 'draft' : 'sendMail',
    internetMessageId: found.internetMessageId ?? undefined,
    confirmedAfterLostAnswer: true,
  }
}
