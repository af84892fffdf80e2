/**
 * `merge`: a mail merge — one message per row of a CSV or JSON-lines file, from a template, sent from one mailbox or
 * several, paced to Exchange's limits, each row exactly once (or reported unknown), resumable after any crash; and
 * `merge status | resume | cancel | report <name>` on the jobs of the journal (SQLite here, or PostgreSQL shared by
 * workers on several machines).
 */
import { EXIT, type Command, type OptionValues } from '../command.ts'
import { CONNECTION_HELP, CONNECTION_OPTION } from '../common-options.ts'
import { LIMIT_HELP, LIMIT_OPTIONS } from '../merge/merge-options.ts'
import { OUTPUT_HELP, OUTPUT_OPTION } from '../output.ts'

const ACTIONS = ['status', 'resume', 'cancel', 'report'] as const
type Action = (typeof ACTIONS)[number]

export const mergeCommand: Command = {
  name: 'merge',
  summary:
    'send a mail merge (a message per row, paced, exactly once); status, resume, cancel, report',
  synopsis:
    '<rows.csv|rows.jsonl> --name <job> --subject <s> --body-file <f> [--from <mailbox>]… [--dry-run]\n' +
    '       graph-connect merge status [<job>] [--watch] | resume <job> | cancel <job> | report <job> [--out <file>]',
  details: [
    '<rows>              CSV (header row; "," or ";") or JSON lines; a column "to" (more: "cc", "bcc", "attachments"',
    '                    — paths separated by ";", relative to the rows file) and any columns for placeholders',
    '--name <job>        the job’s name (letters, digits, . _ -): status, resume, cancel and report use it',
    '--subject <s>       the subject, with placeholders: "Your invoice, {{first_name}}"',
    '--body-file <f>     the body template; .md Markdown, .html/.htm HTML, else text; {{column}} or {{column|default}}',
    '--format <f>        text, html or markdown, when the file’s extension does not say',
    '--from <mailbox>    the sender(s): repeat or separate with commas; rows go to each in turn. Delegated: your own',
    '                    mailbox by default; app-only: required',
    '--mode <m>          auto (default), draft (needs Mail.ReadWrite: every ambiguous send is reconciled) or',
    '                    direct (Mail.Send alone: an ambiguous send is reported unknown, never resent unasked)',
    '--dry-run           check every row and show the first messages; nothing is sent',
    '--previews <n>      how many rendered messages --dry-run shows (default 3)',
    ...LIMIT_HELP,
    '--journal <j>       a SQLite file or a postgres:// URL shared by workers on several machines (default',
    '                    GRAPH_CONNECT_MERGE_JOURNAL, else merges.sqlite beside the connections)',
    'status [<job>]      every job, or one job’s rows by state; --watch follows it live',
    'resume <job>        go on where it stopped (also: another worker on a PostgreSQL journal);',
    '                    --resend-unknown resends the rows reported unknown (check Sent Items first)',
    'cancel <job>        rows not yet sent are cancelled; rows being sent finish',
    'report <job>        CSV: row, recipient, mailbox, state, internetMessageId, error (--out <file>, else stdout)',
    CONNECTION_HELP,
    OUTPUT_HELP,
    'Every row is checked before anything is sent. Exit 0 all sent; 1 rows failed or the run stopped; 5 rows unknown.',
  ],
  options: {
    ...CONNECTION_OPTION,
    ...OUTPUT_OPTION,
    ...LIMIT_OPTIONS,
    name: { type: 'string', short: 'n' },
    subject: { type: 'string', short: 's' },
    'body-file': { type: 'string' },
    format: { type: 'string' },
    from: { type: 'string', multiple: true },
    mode: { type: 'string' },
    'dry-run': { type: 'boolean' },
    previews: { type: 'string' },
    journal: { type: 'string' },
    watch: { type: 'boolean' },
    'resend-unknown': { type: 'boolean' },
    out: { type: 'string' },
  },
  positionals: { min: 1, max: 2 },
  oneShot: true,
  run: (values, positionals) => run(values, positionals),
}

async function run(values: OptionValues, positionals: string[]): Promise<number> {
  const [first, second] = positionals as [string, string | undefined]
  if ((ACTIONS as readonly string[]).includes(first)) {
    const action = first as Action
    const { mergeAction } = await import('../merge/merge-actions.ts')
    return mergeAction(action, second, values)
  }
  if (second !== undefined) {
    process.stderr.write(
      `graph-connect merge: one rows file, or one of ${ACTIONS.join(', ')} and a job name; got "${first} ${second}".\n`,
    )
    return EXIT.usage
  }
  const { startMerge } = await import('../merge/merge-start.ts')
  return startMerge(first, values)
}
