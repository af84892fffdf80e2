/**
 * `startMerge`: `graph-connect merge <rows> …` — reads the template, checks every row (streamed) before anything is
 * sent, then either shows the dry run or signs in, chooses the mode from the token's permissions, writes the job and
 * its rows to the journal and runs this process as its first worker.
 */
import { readFileSync } from 'node:fs'
import { dirname, extname, resolve } from 'node:path'
import {
  checkMergeRow,
  compileTemplate,
  dryRunMerge,
  readMergeRows,
  type MergeTemplate,
  type RowInput,
  type SendMode,
} from '../../core/index.ts'
import { reportFailure, say } from '../cli-failure.ts'
import { openCliSession, type CliSession } from '../cli-session.ts'
import { EXIT, type OptionValues } from '../command.ts'
import { connectionName, settingsOrExit, usageProblem } from '../common-options.ts'
import { outputFormat } from '../output.ts'
import { printDryRun } from './merge-dry-run-print.ts'
import { JOB_NAME, mergeLimits, modeChoice, senders, type ModeChoice } from './merge-options.ts'
import { runMergeJob } from './merge-run.ts'
import { openJournal } from './open-journal.ts'

const FORMAT_OF: Record<string, MergeTemplate['format']> = {
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.html': 'html',
  '.htm': 'html',
}

export async function startMerge(rowsFile: string, values: OptionValues): Promise<number> {
  const problems: string[] = []
  const name = values.name === undefined ? undefined : String(values.name)
  if (!name)
    problems.push('--name <job> is required: status, resume and report find the job by it.')
  else if (!JOB_NAME.test(name))
    problems.push(`--name must be letters, digits, ".", "_" or "-" (up to 64), got "${name}".`)
  if (values.subject === undefined) problems.push('--subject is required (placeholders allowed).')
  if (values['body-file'] === undefined)
    problems.push('--body-file <file> is required: the body template.')
  const limits = mergeLimits(values)
  if ('problems' in limits) problems.push(...limits.problems)
  const mode = modeChoice(values)
  if (typeof mode !== 'string') problems.push(mode.problem)
  const format = outputFormat(values)
  if (typeof format !== 'string') problems.push(format.problem)
  const connection = connectionName(values)
  if (typeof connection !== 'string') problems.push(connection.problem)
  const previews = values.previews === undefined ? 3 : Number(values.previews)
  if (!Number.isInteger(previews) || previews < 0 || previews > 100)
    problems.push(`--previews must be 0 to 100, got "${values.previews}".`)
  if (problems.length) return usageProblem('merge', problems.join('\n  '))
  const settings = settingsOrExit()
  if (typeof settings === 'number') return settings

  const bodyFile = resolve(String(values['body-file']))
  let body: string
  try {
    body = readFileSync(bodyFile, 'utf8')
  } catch (error) {
    say(`the body template ${bodyFile} cannot be read (${(error as NodeJS.ErrnoException).code}).`)
    return EXIT.failed
  }
  const source = resolve(rowsFile)
  const template: MergeTemplate = {
    subject: String(values.subject),
    body,
    format: (values.format as MergeTemplate['format']) ?? FORMAT_OF[extname(bodyFile)] ?? 'text',
    baseDir: dirname(source),
  }
  if (!['text', 'html', 'markdown'].includes(template.format))
    return usageProblem(
      'merge',
      `--format must be text, html or markdown, got "${template.format}".`,
    )
  try {
    const compiled = compileTemplate(template)
    const check = { baseDir: template.baseDir, readAttachments: false, columns: template.columns }
    if (values['dry-run']) {
      const report = await dryRunMerge(readMergeRows(source), compiled, { ...check, previews })
      return printDryRun(report, format as string)
    }
    const checked = await dryRunMerge(readMergeRows(source), compiled, { ...check, previews: 0 })
    if (checked.problemCount) {
      printDryRun(checked, 'text')
      say(`nothing was sent: fix the rows above (graph-connect merge --dry-run shows them all).`)
      return EXIT.failed
    }
    const session = await openCliSession(settings, connection as string)
    try {
      const from = senders(values)
      if (session.record.kind === 'app-only' && !from.length)
        return usageProblem(
          'merge',
          'an app-only connection has no mailbox of its own: say which mailbox(es) send with --from.',
        )
      const sendMode = await chooseMode(session, mode as ModeChoice)
      if (typeof sendMode !== 'string') return usageProblem('merge', sendMode.problem)
      const journal = await openJournal(values, settings)
      try {
        const rows = async function* (): AsyncIterable<RowInput> {
          for await (const row of readMergeRows(source)) {
            if ('problem' in row) continue // refused above: the file changed since; the check at send time says
            const result = await checkMergeRow(compiled, row, check)
            yield {
              row: row.row,
              data: row.data,
              recipients: result.ok ? result.recipients.length : 0,
            }
          }
        }
        const job = await journal.createJob(
          {
            id: name!,
            template,
            senders: from.length ? from : [session.record.account?.username ?? 'me'],
            mode: sendMode,
            limits: limits as Exclude<typeof limits, { problems: string[] }>,
            connection: connection as string,
            source,
          },
          rows(),
        )
        say(
          `merge "${job.id}": ${job.rows} rows from ${job.senders.join(', ')} (${sendMode} mode); Ctrl-C stops it, graph-connect merge resume ${job.id} goes on.`,
        )
        return await runMergeJob(job, journal, session, settings)
      } finally {
        await journal.close()
      }
    } finally {
      await session.close()
    }
  } catch (error) {
    return reportFailure(error, { connection: connection as string })
  }
}

/** auto: draft when the token carries Mail.ReadWrite (every ambiguous send reconciled), else direct. */
async function chooseMode(
  session: CliSession,
  choice: ModeChoice,
): Promise<SendMode | { problem: string }> {
  const permissions = (await session.permissions()).map((permission) => permission.toLowerCase())
  const readWrite = permissions.includes('mail.readwrite')
  if (choice === 'draft' && !readWrite)
    return {
      problem:
        '--mode draft needs Mail.ReadWrite, which this connection does not carry: sign in with it (graph-connect login --scopes "User.Read Mail.Send Mail.ReadWrite"), or use --mode direct.',
    }
  if (choice !== 'auto') return choice
  if (!readWrite)
    say(
      'this connection has no Mail.ReadWrite: direct mode — a send whose answer is lost is reported unknown, never resent.',
    )
  return readWrite ? 'draft' : 'direct'
}
