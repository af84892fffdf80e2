/** `dryRunMerge`: every row checked and counted before anything is sent — problems, recipients, sizes, previews. */
import { checkMergeRow, type RowCheckOptions, type RowToCheck } from './merge-row-check.ts'
import type { CompiledTemplate } from './merge-template.ts'

const KEPT_PROBLEMS = 50
const KEPT_DUPLICATES = 10

export interface DryRunOptions extends Omit<RowCheckOptions, 'readAttachments'> {
  /** How many rendered mails to keep as previews (the first rows that pass). */
  previews: number
}

export interface MailPreview {
  row: number
  to: string[]
  subject: string
  body: string
  bodyType: 'text' | 'html'
}

export interface DryRunReport {
  rows: number
  ok: number
  withProblems: number
  /** The first problem lines (each names its row); `problemCount` counts them all. */
  problems: string[]
  problemCount: number
  /** Recipients of the rows that pass, summed (what counts against the daily limit). */
  recipients: number
  /** Attachment bytes of the rows that pass, summed. */
  attachmentBytes: number
  /** Addresses that receive from more than one row: likely duplicate rows. */
  duplicateRecipients: { count: number; first: string[] }
  previews: MailPreview[]
}

/**
 * Streams every row through checkMergeRow (attachments looked at, not read). Memory stays constant but for the
 * bounded lists and the set of addresses seen.
 * @example const report = await dryRunMerge(readMergeRows(file), compileTemplate(template), { baseDir, previews: 3 })
 */
export async function dryRunMerge(
  rows: AsyncIterable<RowToCheck>,
  template: CompiledTemplate,
  options: DryRunOptions,
): Promise<DryRunReport> {
  const report: DryRunReport = {
    rows: 0,
    ok: 0,
    withProblems: 0,
    problems: [],
    problemCount: 0,
    recipients: 0,
    attachmentBytes: 0,
    duplicateRecipients: { count: 0, first: [] },
    previews: [],
  }
  // Address → already counted as a duplicate. O(distinct recipients): about 100 bytes an address, acceptable next
  // to the rows that are never held.
  const seen = new Map<string, boolean>()
  for await (const row of rows) {
    report.rows++
    const check = await checkMergeRow(template, row, { ...options, readAttachments: false })
    if (!check.ok) {
      report.withProblems++
      report.problemCount += check.problems.length
      report.problems.push(...check.problems.slice(0, KEPT_PROBLEMS - report.problems.length))
      continue
    }
    report.ok++
    report.recipients += check.recipients.length
    report.attachmentBytes += check.attachmentBytes
    for (const address of check.recipients) noteRecipient(seen, address, report.duplicateRecipients)
    if (report.previews.length < options.previews) {
      const { to, subject, body, bodyType } = check.mail
      report.previews.push({ row: row.row, to, subject, body, bodyType })
    }
  }
  return report
}

function noteRecipient(
  seen: Map<string, boolean>,
  address: string,
  duplicates: DryRunReport['duplicateRecipients'],
): void {
  const counted = seen.get(address)
  if (counted === undefined) seen.set(address, false)
  else if (!counted) {
    seen.set(address, true)
    duplicates.count++
    if (duplicates.first.length < KEPT_DUPLICATES) duplicates.first.push(address)
  }
}
