/** `sentReport`: what `send` did, as text (a sentence and the details) or as data (json, csv, md); `SendResult`. */
import type { ParsedMail } from '../core/index.ts'
import { formatRecord, type OutputFormat } from './output.ts'
import { megabytes } from './progress-bar.ts'

export interface SendResult {
  status: 'sent' | 'draft'
  path: 'sendMail' | 'draft'
  draftId?: string
  /** Undefined when Graph did not tell it (sendMail answers 202 with no body). */
  internetMessageId: string | undefined
  /** Graph's answer was lost, and the copy in Sent Items, found by the message's key, says it was sent. */
  confirmedAfterLostAnswer?: boolean
}

const LABELS: Record<string, string> = {
  status: 'Status',
  from: 'From',
  to: 'To',
  cc: 'Cc',
  bcc: 'Bcc',
  subject: 'Subject',
  bodyType: 'Body',
  bytes: 'Size (bytes)',
  attachments: 'Attachments',
  importance: 'Importance',
  path: 'Graph path',
  savedToSentItems: 'Sent Items copy',
  draftId: 'Draft id',
  internetMessageId: 'internetMessageId',
  confirmedInSentItems: 'Confirmed in Sent Items',
}

/** 512 B, 1.2 KB, 4.8 MB. */
export const size = (bytes: number) =>
  bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 * 1024
      ? `${(bytes / 1024).toFixed(1)} KB`
      : megabytes(bytes)

export function sentReport(
  report: SendResult & { from: string; parsed: ParsedMail },
  format: OutputFormat,
): string {
  const { parsed } = report
  const bytes =
    Buffer.byteLength(parsed.body, 'utf8') +
    parsed.attachments.reduce((total, file) => total + file.bytes.byteLength, 0)
  const record = {
    status: report.status,
    from: report.from,
    to: parsed.to,
    cc: parsed.cc,
    bcc: parsed.bcc,
    subject: parsed.subject,
    bodyType: parsed.bodyType,
    bytes,
    attachments: parsed.attachments.map((file) => ({
      name: file.name,
      bytes: file.bytes.byteLength,
    })),
    importance: parsed.importance,
    path: report.path,
    savedToSentItems:
      report.status === 'sent' ? parsed.saveToSentItems || report.path === 'draft' : false,
    ...(report.draftId ? { draftId: report.draftId } : {}),
    internetMessageId: report.internetMessageId ?? null,
    ...(report.confirmedAfterLostAnswer ? { confirmedInSentItems: true } : {}),
  }
  if (format !== 'text') {
    const flat =
      format === 'json'
        ? record
        : { ...record, attachments: record.attachments.map((file) => file.name) }
    return formatRecord(flat, LABELS, format)
  }
  const recipients = [...parsed.to, ...parsed.cc, ...parsed.bcc]
  const lines = [
    `${report.status === 'sent' ? 'Sent' : 'Saved as a draft'} "${parsed.subject}" from ${report.from || 'you'} to ${parsed.to.join(', ')}` +
      `${parsed.cc.length ? `, cc ${parsed.cc.join(', ')}` : ''}${parsed.bcc.length ? `, bcc ${parsed.bcc.join(', ')}` : ''}` +
      ` (${recipients.length} recipient${recipients.length === 1 ? '' : 's'}, ${size(bytes)}` +
      `${parsed.attachments.length ? `, ${parsed.attachments.length} attachment${parsed.attachments.length === 1 ? '' : 's'}` : ''}).`,
    report.confirmedAfterLostAnswer
      ? "  Graph's answer was lost; the copy in Sent Items, found by the key the message carried, says it was sent."
      : `  Graph: ${pathWords(report, parsed)}`,
    `  internetMessageId: ${report.internetMessageId ?? unknownId(report)}`,
  ]
  if (report.draftId) lines.push(`  Draft id: ${report.draftId}`)
  return `${lines.join('\n')}\n`
}

function pathWords(report: SendResult, parsed: ParsedMail): string {
  if (report.status === 'draft')
    return 'created in Drafts (POST /messages), attachments added; not sent.'
  if (report.path === 'sendMail')
    return `one POST /sendMail, accepted (202)${parsed.saveToSentItems ? '; a copy in Sent Items' : '; no copy in Sent Items (--no-save)'}.`
  return `a draft, attachments uploaded, then sent (POST /messages/{id}/send); a copy in Sent Items${
    parsed.saveToSentItems ? '' : ' (--no-save does not apply to a sent draft)'
  }.`
}

function unknownId(report: SendResult): string {
  if (report.status === 'draft') return 'not assigned yet (Graph gives it when the draft is sent)'
  return report.path === 'sendMail'
    ? 'not known (sendMail answers 202 with no id; find the copy in Sent Items)'
    : 'not known (Graph did not tell it)'
}
