/** The mail types shared by parsing, composing and sending (plain data; this file imports nothing). */

export type MailField =
  'to' | 'cc' | 'bcc' | 'subject' | 'body' | 'format' | 'importance' | 'attachments'

export interface MailAttachment {
  name: string
  contentType: string
  bytes: Uint8Array
}

/** A file as uploaded, before its name and type are made safe. */
export type UploadedFileLike = MailAttachment

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

/** Why a field was refused: a stable code, for tests and for the web side's wording. */
export type FieldProblemReason =
  | 'required'
  | 'line-break'
  | 'invalid-address'
  | 'too-many'
  | 'too-long'
  | 'too-large'
  | 'needs-mail-readwrite'
  | 'invalid-choice'

export interface FieldProblem {
  field: MailField
  reason: FieldProblemReason
  /** The offending value when it helps (an address). */
  value?: string
  /** The limit that was passed ('too-many' recipients or files, a 'too-long' subject, 'too-large' attachments in bytes). */
  limit?: number
}

/** A valid message, or every problem found (413 when something is too large, else 400). */
export type ParseResult =
  | {
      ok: true
      message: ParsedMail
      /** To, Cc and Bcc together. */
      recipients: string[]
    }
  | {
      ok: false
      problems: FieldProblem[]
      status: 400 | 413
    }
