/** Validates the send form (SE-08): every field checked, every problem reported, nothing the user typed is lost. */
import { splitAttachments } from './compose-message.ts'
import { mailLimits } from './mail-limits.ts'

export type MailField =
  'to' | 'cc' | 'bcc' | 'subject' | 'body' | 'format' | 'importance' | 'attachments'
export type Lang = 'en' | 'fr'

export interface MailAttachment {
  name: string
  contentType: string
  bytes: Uint8Array
}

/** A message that passed validation: every address valid and unique, no control characters in headers. */
export interface ParsedMail {
  to: string[]
  cc: string[]
  bcc: string[]
  subject: string
  body: string
  bodyType: 'text' | 'html'
  importance: 'low' | 'normal' | 'high'
  saveToSentItems: boolean
  attachments: MailAttachment[]
}

export interface FieldProblem {
  field: MailField
  /** Stable reason, for tests and translations: 'required' | 'line-break' | 'invalid-address' | 'too-many' | 'too-long' | 'too-large' | 'needs-mail-readwrite' | 'invalid-choice'. */
  reason: string
  /** The offending value when it helps (an address). */
  value?: string
}

export type ParseResult =
  | { ok: true; message: ParsedMail; recipients: string[] }
  | {
      ok: false
      errors: Partial<Record<MailField, string>>
      problems: FieldProblem[]
      status: 400 | 413
    }

export interface UploadedFileLike {
  name: string
  contentType: string
  bytes: Uint8Array
}

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

/** True when the scopes ask for Mail.ReadWrite (short or URL form), or for `.default` (then the registration decides). */
export function allowsLargeAttachments(scopes: readonly string[]): boolean {
  return scopes.some((scope) =>
    ['mail.readwrite', '.default'].includes(scope.slice(scope.lastIndexOf('/') + 1).toLowerCase()),
  )
}

export interface ParseOptions {
  /** Attachments over 3 MB in all go through a draft, which needs Mail.ReadWrite; false refuses them before any Graph call. */
  largeAttachments?: boolean
}

/**
 * Validates the form fields (`to`, `cc`, `bcc` separated by `,` or `;`, `subject`, `body`, `format` html|text,
 * `importance`, `saveToSentItems` on) and the uploaded files. On failure, `errors` has one message per field in `lang`.
 * @example const result = parseSendForm(fields, files, 'fr', { largeAttachments: allowsLargeAttachments(config.scopes) })
 */
export function parseSendForm(
  fields: Record<string, string | undefined>,
  files: readonly UploadedFileLike[] = [],
  lang: Lang = 'en',
  options: ParseOptions = {},
): ParseResult {
  const problems: FieldProblem[] = []
  const seen = new Set<string>()
  const to = parseAddresses('to', fields.to ?? '', seen, problems)
  const cc = parseAddresses('cc', fields.cc ?? '', seen, problems)
  const bcc = parseAddresses('bcc', fields.bcc ?? '', seen, problems)
  if (!to.length && !problems.some((problem) => problem.field === 'to'))
    problems.push({ field: 'to', reason: 'required' })
  if (to.length + cc.length + bcc.length > mailLimits.recipients)
    problems.push({ field: 'to', reason: 'too-many' })

  const subject = (fields.subject ?? '').trim()
  if (HEADER_BREAK.test(subject)) problems.push({ field: 'subject', reason: 'line-break' })
  if ([...subject].length > mailLimits.subjectChars)
    problems.push({ field: 'subject', reason: 'too-long' })

  const body = fields.body ?? ''
  if (Buffer.byteLength(body, 'utf8') > mailLimits.bodyBytes)
    problems.push({ field: 'body', reason: 'too-large' })
  if (body.includes('\u0000')) problems.push({ field: 'body', reason: 'invalid-choice' })

  const format = fields.format ?? 'html'
  if (format !== 'html' && format !== 'text')
    problems.push({ field: 'format', reason: 'invalid-choice' })
  const importance = fields.importance || 'normal'
  if (importance !== 'low' && importance !== 'normal' && importance !== 'high')
    problems.push({ field: 'importance', reason: 'invalid-choice' })

  const totalBytes = files.reduce((total, file) => total + file.bytes.byteLength, 0)
  if (files.length > mailLimits.attachments)
    problems.push({ field: 'attachments', reason: 'too-many' })
  else if (totalBytes > mailLimits.attachmentsBytes)
    problems.push({ field: 'attachments', reason: 'too-large' })
  else if (options.largeAttachments === false && splitAttachments(files).deferred.length)
    problems.push({ field: 'attachments', reason: 'needs-mail-readwrite' })

  if (problems.length) {
    const errors: Partial<Record<MailField, string>> = {}
    for (const problem of problems) errors[problem.field] ??= describeProblem(problem, lang)
    const status = problems.some(
      (problem) => problem.reason === 'too-large' || problem.reason === 'needs-mail-readwrite',
    )
      ? 413
      : 400
    return { ok: false, errors, problems, status }
  }
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

type Describe = (problem: FieldProblem) => string

const texts: Record<Lang, Record<string, Describe>> = {
  en: {
    required: () => 'Enter at least one recipient.',
    'line-break': () => 'Line breaks and control characters are not allowed here.',
    'invalid-address': ({ value }) => `“${value}” is not a valid email address.`,
    'too-many': ({ field }) =>
      field === 'attachments'
        ? `Attach at most ${mailLimits.attachments} files.`
        : `Send to at most ${mailLimits.recipients} recipients in all.`,
    'too-long': () => `Keep the subject under ${mailLimits.subjectChars} characters.`,
    'too-large': ({ field }) =>
      field === 'body'
        ? 'The message is larger than 1 MB.'
        : 'Attachments are larger than 25 MB in all.',
    'needs-mail-readwrite': () =>
      'Attachments over 3 MB need the Mail.ReadWrite permission: add it to SCOPES and to the app registration, or attach smaller files (3 MB in all).',
    'invalid-choice': ({ field }) =>
      field === 'format'
        ? 'Choose HTML or Plain text.'
        : field === 'importance'
          ? 'Choose low, normal or high importance.'
          : 'This value is not allowed.',
  },
  fr: {
    required: () => 'Indiquez au moins un destinataire.',
    'line-break': () =>
      'Les retours à la ligne et caractères de contrôle ne sont pas autorisés ici.',
    'invalid-address': ({ value }) => `« ${value} » n’est pas une adresse e-mail valide.`,
    'too-many': ({ field }) =>
      field === 'attachments'
        ? `Joignez au plus ${mailLimits.attachments} fichiers.`
        : `Envoyez à ${mailLimits.recipients} destinataires au plus en tout.`,
    'too-long': () => `L’objet doit faire moins de ${mailLimits.subjectChars} caractères.`,
    'too-large': ({ field }) =>
      field === 'body' ? 'Le message dépasse 1 Mo.' : 'Les pièces jointes dépassent 25 Mo en tout.',
    'needs-mail-readwrite': () =>
      'Les pièces jointes de plus de 3 Mo nécessitent l’autorisation Mail.ReadWrite : ajoutez-la à SCOPES et à l’inscription de l’application, ou joignez des fichiers plus petits (3 Mo en tout).',
    'invalid-choice': ({ field }) =>
      field === 'format'
        ? 'Choisissez HTML ou Texte brut.'
        : field === 'importance'
          ? 'Choisissez une importance faible, normale ou haute.'
          : 'Cette valeur n’est pas autorisée.',
  },
}

/** The message shown under a field, in English or French (plain text: the web side escapes it). */
export function describeProblem(problem: FieldProblem, lang: Lang): string {
  return (texts[lang][problem.reason] ?? texts[lang]['invalid-choice']!)(problem)
}
