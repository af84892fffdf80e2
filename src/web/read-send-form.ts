/** `readSendForm`: reads the send form, multipart (with attachments) or urlencoded, never losing the typed fields. */
import type { FastifyRequest } from 'fastify'
import { AppError, type UploadedFileLike } from '../core/index.ts'

export interface SendForm {
  fields: Record<string, string>
  files: UploadedFileLike[]
  /** An attachment or a field went over the limits; the fields read so far are kept. */
  tooLarge: boolean
}

/** The fields the user sees and gets back after a failed send. */
export const visibleFields = [
  'to',
  'cc',
  'bcc',
  'subject',
  'body',
  'format',
  'importance',
  'saveToSentItems',
] as const

/** The fields (first value of each) and the files; over @fastify/multipart's limits, `tooLarge` and no files. */
export async function readSendForm(request: FastifyRequest): Promise<SendForm> {
  const form: SendForm = { fields: {}, files: [], tooLarge: false }
  if (!request.isMultipart()) {
    for (const [name, value] of Object.entries((request.body ?? {}) as Record<string, unknown>)) {
      const first = Array.isArray(value) ? value[0] : value
      if (typeof first === 'string' && !(name in form.fields)) form.fields[name] = first
    }
    return form
  }
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (part.valueTruncated) form.tooLarge = true
        if (typeof part.value === 'string' && !(part.fieldname in form.fields))
          form.fields[part.fieldname] = part.value
      } else if (part.filename) {
        const bytes = await part.toBuffer()
        form.files.push({
          name: part.filename,
          contentType: part.mimetype || 'application/octet-stream',
          bytes,
        })
      } else {
        part.file.resume()
      }
    }
  } catch (error) {
    const code = (error as { code?: string }).code
    if (
      code === 'FST_REQ_FILE_TOO_LARGE' ||
      code === 'FST_FILES_LIMIT' ||
      code === 'FST_FIELDS_LIMIT' ||
      code === 'FST_PARTS_LIMIT'
    ) {
      form.tooLarge = true
      form.files = []
    } else {
      // busboy's own errors (truncated body, no boundary) carry no code: a malformed request, not a server fault.
      throw new AppError('ERR_WEB_MALFORMED_BODY', {
        message: `malformed multipart body: ${(error as Error).message}`,
        cause: error,
      })
    }
  }
  return form
}

/** The fields the user sees, as typed, for giving the form back. */
export function formFields(fields: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {}
  for (const name of visibleFields) if (fields[name] !== undefined) kept[name] = fields[name]
  return kept
}
