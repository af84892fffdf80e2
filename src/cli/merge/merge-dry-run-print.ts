/**
 * `printDryRun`: what `merge --dry-run` found — counts, every problem with its row (the first fifty), recipients
 * that appear in several rows, and the first messages as they will be sent (HTML shown as text) — and its exit code:
 * 0 when every row is ready, 1 when some are not.
 */
import { convert } from 'html-to-text'
import type { DryRunReport } from '../../core/index.ts'
import { EXIT } from '../command.ts'
import { megabytes } from '../progress-bar.ts'

export function printDryRun(report: DryRunReport, format: string): number {
  const exit = report.problemCount ? EXIT.failed : EXIT.ok
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(report)}\n`)
    return exit
  }
  const lines = [
    `${report.rows} rows: ${report.ok} ready, ${report.withProblems} with problems; ${report.recipients} recipients, ${report.attachmentBytes ? `${megabytes(report.attachmentBytes)} of attachments` : 'no attachments'}.`,
  ]
  if (report.problemCount) {
    lines.push(
      '',
      `Problems (${report.problemCount}${report.problemCount > report.problems.length ? `, the first ${report.problems.length}` : ''}):`,
    )
    lines.push(...report.problems.map((problem) => `  - ${problem}`))
  }
  if (report.duplicateRecipients.count)
    lines.push(
      '',
      `${report.duplicateRecipients.count} address(es) receive from more than one row (a duplicated row?): ${report.duplicateRecipients.first.join(', ')}${report.duplicateRecipients.count > report.duplicateRecipients.first.length ? ', …' : ''}`,
    )
  for (const preview of report.previews) {
    const body =
      preview.bodyType === 'html' ? convert(preview.body, { wordwrap: 100 }) : preview.body
    lines.push(
      '',
      `── row ${preview.row} ─ to ${preview.to.join(', ')} ${'─'.repeat(Math.max(3, 60 - preview.to.join(', ').length))}`,
      `Subject: ${preview.subject}`,
      '',
      body.trimEnd(),
    )
  }
  lines.push(
    '',
    exit === EXIT.ok
      ? 'Nothing was sent. Run the same command without --dry-run to send.'
      : 'Nothing was sent. Fix the rows above, then run --dry-run again.',
  )
  process.stdout.write(`${lines.join('\n')}\n`)
  return exit
}
