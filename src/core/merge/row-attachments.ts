/** `rowAttachments`: a row's attachment paths checked (exist, regular files, within the limits) and, if asked, read. */
import { readFile, stat } from 'node:fs/promises'
import { basename, isAbsolute, resolve } from 'node:path'
import { contentTypeOf } from '../mail/content-type.ts'
import { mailLimits } from '../mail/mail-limits.ts'
import type { MailAttachment } from '../mail/mail.ts'
import { safeFileName } from '../mail/parse-send-form.ts'

export interface RowAttachmentOptions {
  /** The row's label ("row 12 (line 13)") and the column the paths came from, for the problems. */
  label: string
  column: string
  baseDir: string
  /** False: stat only (a dry run); true: read the files too. */
  read: boolean
  /** False when the merge has Mail.Send alone: then attachments must travel inside the sendMail request. */
  largeAttachments?: boolean
}

export interface RowAttachments {
  /** Read only when asked; empty otherwise. */
  files: MailAttachment[]
  bytes: number
  problems: string[]
}

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`
const limitMb = megabytes(mailLimits.draftAttachmentsBytes).replace('.0 ', ' ')

/** `value` holds paths separated by `;` (commas are common in file names), relative to `baseDir` or absolute. */
export async function rowAttachments(
  value: string,
  options: RowAttachmentOptions,
): Promise<RowAttachments> {
  const { label, column } = options
  const paths = value
    .split(';')
    .map((path) => path.trim())
    .filter(Boolean)
  if (paths.length > mailLimits.attachments)
    return {
      files: [],
      bytes: 0,
      problems: [
        `${label}: ${paths.length} attachments, over the ${mailLimits.attachments} a message may carry: zip them into one, or split the row.`,
      ],
    }
  const problems: string[] = []
  const found: { path: string; size: number }[] = []
  for (const given of paths) {
    const path = isAbsolute(given) ? given : resolve(options.baseDir, given)
    const size = await fileSize(path)
    if (typeof size === 'string')
      problems.push(
        `${label}: the attachment "${given}" ${size} (looked for ${path}): fix the path in the "${column}" column (relative paths start from ${options.baseDir}).`,
      )
    else if (size > mailLimits.draftAttachmentsBytes)
      problems.push(
        `${label}: the attachment "${given}" is ${megabytes(size)}, over the ${limitMb} Microsoft Graph accepts for one attachment: share a link to it instead.`,
      )
    else found.push({ path, size })
  }
  const bytes = found.reduce((total, file) => total + file.size, 0)
  problems.push(...totalProblems(bytes, found, options))
  if (problems.length || !options.read) return { files: [], bytes, problems }
  return readAll(found, bytes, label)
}

function totalProblems(
  bytes: number,
  found: readonly { size: number }[],
  options: RowAttachmentOptions,
): string[] {
  if (bytes > mailLimits.draftAttachmentsBytes)
    return [
      `${options.label}: the attachments are ${megabytes(bytes)} together, over the ${limitMb} a message may carry (Exchange Online's ceiling; a mailbox may be set lower, 35 MB by default): attach fewer, or share links.`,
    ]
  // Beyond this, attachments go up after a draft is created (compose-message.ts), which needs Mail.ReadWrite.
  const needsDraft =
    bytes > mailLimits.inlineTotalBytes ||
    found.some((file) => file.size > mailLimits.inlineAttachmentBytes)
  if (options.largeAttachments === false && needsDraft)
    return [
      `${options.label}: the attachments are ${megabytes(bytes)}; over ${megabytes(mailLimits.inlineTotalBytes)} they go up through a draft, which needs the Mail.ReadWrite permission: grant it, or attach less.`,
    ]
  return []
}

/** The size of a regular file, or why it cannot be attached. */
async function fileSize(path: string): Promise<number | string> {
  try {
    const info = await stat(path)
    return info.isFile() ? info.size : 'is not a file (a folder?)'
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'does not exist'
    if (code === 'EACCES' || code === 'EPERM') return 'cannot be read (permission denied)'
    return `cannot be read (${code ?? (error as Error).message})`
  }
}

async function readAll(
  found: readonly { path: string }[],
  bytes: number,
  label: string,
): Promise<RowAttachments> {
  const files: MailAttachment[] = []
  for (const { path } of found) {
    try {
      files.push({
        name: safeFileName(basename(path)),
        contentType: contentTypeOf(path),
        bytes: await readFile(path),
      })
    } catch (error) {
      return {
        files: [],
        bytes,
        problems: [
          `${label}: the attachment ${path} could not be read (${(error as Error).message}): check it, then resume.`,
        ],
      }
    }
  }
  return {
    files,
    bytes: files.reduce((total, file) => total + file.bytes.byteLength, 0),
    problems: [],
  }
}
