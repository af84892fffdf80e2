/** `parseSendForm`: validates the send form (SE-08); every problem is reported as a code, nothing typed is lost. */
import { splitAttachments } from './compose-message.ts'
import { mailLimits } from './mail-limits.ts'
import type { FieldProblem, ParsedMail, ParseResult, UploadedFileLike } from './mail.ts'

// WHATWG "valid e-mail address", with RFC 5321 lengths checked apart.
const ADDRESS =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/
// eslint-disable-next-line no-control-regex
const HEADER_BREAK = /[\u0000-\u001f\u007f\u2028\u2029]/
const LINE_BREAK = /[\r\n\u2028\u2029]/

export function isValidAddress(address: string): boolean {
  const at = address.lastIndexOf('@')
  return address.length <= 254 && at > 0 && at <= 64 && ADDRESS.test(address)
}

function parseAddresses(
  field: 'to' | 'cc' | 'bcc',
  raw: string,
  seen: Set<string>,
  problems: FieldProblem[],
): string[] {
  if (LINE_BREAK.test(raw)) {
    problems.push({ field, reason: 'line-break' })
    return []
  }
  const addresses: string[] = []
  for (const candidate of raw
    .split(/[,;]/)
    .map((part) => part.trim())
    .filter(Boolean)) {
    if (!isValidAddress(candidate)) {
      problems.push({ field, reason: 'invalid-address', value: candidate })
      continue
    }
    const key = candidate.toLowerCase()
    if (!seen.has(key)) addresses.push(candidate)
    seen.add(key)
  }
  return addresses
}

/** A file name safe to show and to send: no path, no control characters, not empty, not too long. */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? ''
  const cleaned = base
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f\u2028\u2029<>:"|?*]/g, '_')
    .replace(/^[.\s]+/, '')
    .trim()
  return (cleaned || 'attachment').slice(0, mailLimits.attachmentNameChars)
}

const safeContentType = (type: string) =>
  /^[\w.+-]+\/[\w.+-]+$/.test(type) ? type.toLowerCase() : 'application/octet-stream'
const truthy = (value: string | undefined) =>
  value !== undefined && ['on', 'true', '1', 'yes'].includes(value.toLowerCase())

/** True when the scopes ask for Mail.ReadWrite (short or URL form) or `.default` (the registration decides). */
export function allowsLargeAttachments(scopes: readonly string[]): boolean {
  return scopes.some((scope) =>
    ['mail.readwrite', '.default'].includes(scope.slice(scope.lastIndexOf('/') + 1).toLowerCase()),
  )
}

export interface ParseOptions {
  /**
   * Attachments over 3 MB in all go through a draft, which needs Mail.ReadWrite; false refuses them before any
   * Graph call.
   */
  largeAttachments?: boolean
  /**
   * The most bytes all attachments may hold together: mailLimits.attachmentsBytes (the web form's 25 MB) unless said
   * otherwise — the CLI allows Graph's own ceiling, 150 MB.
   */
  attachmentsBytes?: number
}

/**
 * Validates the form fields (`to`, `cc`, `bcc` separated by `,` or `;`, `subject`, `body`, `format` html|text,
 * `importance`, `saveToSentItems` on) and the uploaded files. On failure, `problems` lists every problem as a code
 * (the web side words them); 413 when something is too large.
 * @example const result = parseSendForm(fields, files, { largeAttachments: allowsLargeAttachments(config.scopes) })
 */
export function parseSendForm(
  fields: Record<string, string | undefined>,
  files: readonly UploadedFileLike[] = [],
  options: ParseOptions = {},
): ParseResult {
  const problems: FieldProblem[] = []
  const { to, cc, bcc } = readRecipients(fields, problems)
  const subject = readSubject(fields.subject, problems)
  const body = readBody(fields.body, problems)
  const format = fields.format ?? 'html'
  if (format !== 'html' && format !== 'text')
    problems.push({ field: 'format', reason: 'invalid-choice' })
  const importance = fields.importance || 'normal'
  if (importance !== 'low' && importance !== 'normal' && importance !== 'high')
    problems.push({ field: 'importance', reason: 'invalid-choice' })
  checkAttachments(files, options, problems)
  if (problems.length) return { ok: false, problems, status: statusFor(problems) }
  const message: ParsedMail = {
    to,
    cc,
    bcc,
    subject,
    body,
    bodyType: format as ParsedMail['bodyType'],
    importance: importance as ParsedMail['importance'],
    saveToSentItems: truthy(fields.saveToSentItems),
    attachments: files.map((file) => ({
      name: safeFileName(file.name),
      contentType: safeContentType(file.contentType),
      bytes: file.bytes,
    })),
  }
  return { ok: true, message, recipients: [...to, ...cc, ...bcc] }
}

/** To, Cc and Bcc, each address once across the three; To is required; the total is limited. */
function readRecipients(
  fields: Record<string, string | undefined>,
  problems: FieldProblem[],
): Pick<ParsedMail, 'to' | 'cc' | 'bcc'> {
  const seen = new Set<string>()
  const to = parseAddresses('to', fields.to ?? '', seen, problems)
  const cc = parseAddresses('cc', fields.cc ?? '', seen, problems)
  const bcc = parseAddresses('bcc', fields.bcc ?? '', seen, problems)
  if (!to.length && !problems.some((problem) => problem.field === 'to'))
    problems.push({ field: 'to', reason: 'required' })
  if (to.length + cc.length + bcc.length > mailLimits.recipients)
    problems.push({ field: 'to', reason: 'too-many', limit: mailLimits.recipients })
  return { to, cc, bcc }
}

/** The subject, trimmed: a header, so no line break or control character, and a limited length. */
function readSubject(value: string | undefined, problems: FieldProblem[]): string {
  const subject = (value ?? '').trim()
  if (HEADER_BREAK.test(subject)) problems.push({ field: 'subject', reason: 'line-break' })
  if ([...subject].length > mailLimits.subjectChars)
    problems.push({ field: 'subject', reason: 'too-long', limit: mailLimits.subjectChars })
  return subject
}

function readBody(value: string | undefined, problems: FieldProblem[]): string {
  const body = value ?? ''
  if (Buffer.byteLength(body, 'utf8') > mailLimits.bodyBytes)
    problems.push({ field: 'body', reason: 'too-large' })
  if (body.includes('\u0000')) problems.push({ field: 'body', reason: 'invalid-choice' })
  return body
}

/** At most one attachments problem: too many files, too many bytes, or a draft needed but not allowed. */
function checkAttachments(
  files: readonly UploadedFileLike[],
  options: ParseOptions,
  problems: FieldProblem[],
): void {
  const totalBytes = files.reduce((total, file) => total + file.bytes.byteLength, 0)
  if (files.length > mailLimits.attachments)
    problems.push({ field: 'attachments', reason: 'too-many', limit: mailLimits.attachments })
  else if (totalBytes > (options.attachmentsBytes ?? mailLimits.attachmentsBytes))
    problems.push({
      field: 'attachments',
      reason: 'too-large',
      limit: options.attachmentsBytes ?? mailLimits.attachmentsBytes,
    })
  else if (options.largeAttachments === false && splitAttachments(files).deferred.length)
    problems.push({ field: 'attachments', reason: 'needs-mail-readwrite' })
}

/** 413 when something is too large (or needs the draft path), else 400. */
function statusFor(problems: readonly FieldProblem[]): 400 | 413 {
  const tooLarge = problems.some(
    (problem) => problem.reason === 'too-large' || problem.reason === 'needs-mail-readwrite',
  )
  return tooLarge ? 413 : 400
}
