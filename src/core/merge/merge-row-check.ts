/** `checkMergeRow`: one row through the template and every check, into a message ready to send or its problems. */
import type { FieldProblem, ParsedMail } from '../mail/mail.ts'
import { mailLimits } from '../mail/mail-limits.ts'
import { parseSendForm } from '../mail/parse-send-form.ts'
import type { CompiledTemplate } from './merge-template.ts'
import { rowAttachments } from './row-attachments.ts'
import { rowLabel, type SourceProblem } from './source-row.ts'

/** Which columns hold the recipients and the attachments (defaults: to, cc, bcc, attachments). */
export interface RowColumns {
  to?: string
  cc?: string
  bcc?: string
  attachments?: string
}

export interface RowCheckOptions {
  /** The folder relative attachment paths start from. */
  baseDir: string
  /** False: attachments are only looked at (a dry run); true: read into the message. */
  readAttachments: boolean
  columns?: RowColumns
  /** False when the merge has Mail.Send alone: more than 3 MB of attachments (a draft's job) is then a problem. */
  largeAttachments?: boolean
}

/** A row from the file, or from the journal (which keeps no line). */
export type RowToCheck =
  SourceProblem | { row: number; line?: number; data: Record<string, string> }

export type RowCheck =
  | {
      ok: true
      mail: ParsedMail
      /** To, Cc and Bcc, distinct, lower-case: what counts against the recipient limits. */
      recipients: string[]
      attachmentBytes: number
    }
  | { ok: false; problems: string[] }

type Columns = Required<RowColumns>

/**
 * Renders `row` and checks it as `send` would: recipients (to required; `,` or `;` between addresses; valid; each
 * once across To, Cc and Bcc; within mailLimits), every placeholder filled, the subject one line, attachments.
 * Every problem names the row and says what to do.
 * @example const check = await checkMergeRow(compileTemplate(template), row, { baseDir, readAttachments: false })
 */
export async function checkMergeRow(
  template: CompiledTemplate,
  row: RowToCheck,
  options: RowCheckOptions,
): Promise<RowCheck> {
  if ('problem' in row) return { ok: false, problems: [row.problem] }
  const label = rowLabel(row)
  const columns: Columns = {
    to: 'to',
    cc: 'cc',
    bcc: 'bcc',
    attachments: 'attachments',
    ...options.columns,
  }
  const cell = (name: string) => (Object.hasOwn(row.data, name) ? row.data[name]! : '')
  const rendered = template.render(row.data)
  const problems = rendered.missing.map((name) => missingLine(label, name, row.data))
  for (const name of rendered.lineBreaks)
    problems.push(
      `${label}: the value of "${name}" holds a line break, and the subject must be one line: remove it from the value, or move {{${name}}} into the body.`,
    )
  if (!Object.hasOwn(row.data, columns.to))
    problems.push(
      `${label}: there is no "${columns.to}" column for the recipients: add one (several addresses separated by , or ;), or say which column holds them.`,
    )
  const form = parseSendForm({
    to: cell(columns.to),
    cc: cell(columns.cc),
    bcc: cell(columns.bcc),
    subject: rendered.subject,
    body: rendered.body,
    format: rendered.bodyType,
    importance: template.importance,
    saveToSentItems: 'on',
  })
  if (!form.ok)
    for (const problem of form.problems) {
      const already =
        (problem.field === 'subject' &&
          problem.reason === 'line-break' &&
          rendered.lineBreaks.length) ||
        (problem.reason === 'required' && !Object.hasOwn(row.data, columns.to))
      if (!already) problems.push(fieldLine(label, problem, columns))
    }
  const attachments = await rowAttachments(cell(columns.attachments), {
    label,
    column: columns.attachments,
    baseDir: options.baseDir,
    read: options.readAttachments && !problems.length && form.ok,
    largeAttachments: options.largeAttachments,
  })
  problems.push(...attachments.problems)
  if (problems.length || !form.ok) return { ok: false, problems }
  return {
    ok: true,
    mail: { ...form.message, attachments: attachments.files },
    recipients: form.recipients.map((address) => address.toLowerCase()),
    attachmentBytes: attachments.bytes,
  }
}

function missingLine(label: string, name: string, data: Record<string, string>): string {
  if (Object.hasOwn(data, name))
    return `${label}: column "${name}" is empty; give it a value, or a default in the template: {{${name}|your text}}.`
  const names = Object.keys(data)
  const shown = names.slice(0, 10).join(', ') + (names.length > 10 ? ', …' : '')
  return `${label}: there is no column "${name}" (the columns: ${shown}); fix the placeholder {{${name}}}, or add the column.`
}

function fieldLine(label: string, problem: FieldProblem, columns: Columns): string {
  const column =
    problem.field === 'to' || problem.field === 'cc' || problem.field === 'bcc'
      ? columns[problem.field]
      : ''
  switch (`${problem.field}/${problem.reason}`) {
    case 'to/required':
      return `${label}: no recipient: the "${columns.to}" column is empty; give an address, or remove the row.`
    case 'to/invalid-address':
    case 'cc/invalid-address':
    case 'bcc/invalid-address':
      return `${label}: "${problem.value}" in the "${column}" column is not an e-mail address: fix it (several addresses: separate them with , or ;).`
    case 'to/line-break':
    case 'cc/line-break':
    case 'bcc/line-break':
      return `${label}: the "${column}" column holds a line break: put its addresses on one line, separated by , or ;.`
    case 'to/too-many':
      return `${label}: more than ${mailLimits.recipients} recipients (To, Cc and Bcc together, each counted once): split them over several rows.`
    case 'subject/line-break':
      return `${label}: the subject holds a line break or a control character (a tab?): remove it from the template's subject or the values in it.`
    case 'subject/too-long':
      return `${label}: the subject is longer than ${mailLimits.subjectChars} characters once filled in: shorten the template's subject or the values in it.`
    case 'body/too-large':
      return `${label}: the body is over 1 MB once filled in: shorten it, or attach the long part as a file.`
    case 'body/invalid-choice':
      return `${label}: the body holds a NUL character: remove it from the row's values.`
    default:
      return `${label}: ${problem.field} is refused (${problem.reason}): fix the row or the template.`
  }
}
