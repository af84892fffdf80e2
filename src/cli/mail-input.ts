/**
 * `readMailInput`: the message `send` was given — recipients, subject, the body (--body, --body-file, or stdin with
 * "-"; text, HTML, or Markdown rendered to HTML by `marked`), attachments read from disk — checked by core's
 * parseSendForm before anything is sent; every problem one line with its fix. `MAX_ATTACHMENT_BYTES`.
 */
import { readFileSync, statSync } from 'node:fs'
import { basename, extname } from 'node:path'
import {
  contentTypeOf,
  mailLimits,
  markdownToHtml,
  parseSendForm,
  type FieldProblem,
  type ParsedMail,
} from '../core/index.ts'
import { EXIT, type OptionValues } from './command.ts'
import { megabytes } from './progress-bar.ts'

/** Graph's ceiling for one attachment (upload sessions), and what a mailbox accepts at most for a whole message. */
export const MAX_ATTACHMENT_BYTES = mailLimits.draftAttachmentsBytes

export type BodyFormat = 'text' | 'html' | 'markdown'

export type MailInput =
  | { ok: true; parsed: ParsedMail; format: BodyFormat }
  | { ok: false; lines: string[]; exit: number }

const list = (value: OptionValues[string]) =>
  (Array.isArray(value) ? value : value === undefined ? [] : [String(value)]).join(',')

const refuse = (lines: string[], exit: number = EXIT.usage): MailInput => ({
  ok: false,
  lines,
  exit,
})

/** Reads and checks everything; nothing has touched the network yet. */
export function readMailInput(values: OptionValues): MailInput {
  const body = readBody(values)
  if ('problem' in body) return refuse([body.problem], body.exit)
  const files = readAttachments((values.attach as string[] | undefined) ?? [])
  if ('problem' in files) return refuse([files.problem], EXIT.failed)
  const result = parseSendForm(
    {
      to: list(values.to),
      cc: list(values.cc),
      bcc: list(values.bcc),
      subject: values.subject === undefined ? '' : String(values.subject),
      body: body.text,
      format: body.format === 'text' ? 'text' : 'html',
      importance: values.importance === undefined ? 'normal' : String(values.importance),
      saveToSentItems: values['no-save'] ? '' : 'on',
    },
    files.files,
    { attachmentsBytes: MAX_ATTACHMENT_BYTES },
  )
  if (result.ok) return { ok: true, parsed: result.message, format: body.format }
  const tooLarge = result.problems.some((problem) => problem.reason === 'too-large')
  return refuse(result.problems.map(problemLine), tooLarge ? EXIT.failed : EXIT.usage)
}

type Body = { text: string; format: BodyFormat } | { problem: string; exit: number }

function readBody(values: OptionValues): Body {
  const inline = values.body as string | undefined
  const file = values['body-file'] as string | undefined
  if (inline !== undefined && file !== undefined)
    return { problem: 'give --body or --body-file, not both.', exit: EXIT.usage }
  const format = (values.format as string | undefined) ?? formatOf(file)
  if (!['text', 'html', 'markdown'].includes(format))
    return {
      problem: `--format must be text, html or markdown, got "${format}".`,
      exit: EXIT.usage,
    }
  let text = inline ?? ''
  const source = inline === '-' ? '-' : file
  if (source !== undefined) {
    try {
      text = readFileSync(source === '-' ? 0 : source, 'utf8')
    } catch (error) {
      return {
        problem: `cannot read the body from ${source === '-' ? 'stdin' : source}: ${(error as Error).message}. Fix the path, or give the text with --body.`,
        exit: EXIT.failed,
      }
    }
  }
  if (format === 'markdown') text = markdownToHtml(text)
  return { text, format: format as BodyFormat }
}

/** By the file's extension: .html/.htm → html, .md/.markdown → markdown; anything else (and --body) → text. */
function formatOf(file: string | undefined): string {
  const extension = file && file !== '-' ? extname(file).toLowerCase() : ''
  if (extension === '.html' || extension === '.htm') return 'html'
  if (extension === '.md' || extension === '.markdown') return 'markdown'
  return 'text'
}

type Files =
  { files: { name: string; contentType: string; bytes: Uint8Array }[] } | { problem: string }

/** Each file checked (exists, a file, within Graph's 150 MB) before any is read; read whole. */
function readAttachments(paths: readonly string[]): Files {
  for (const path of paths) {
    let size: number
    try {
      const stat = statSync(path)
      if (!stat.isFile()) return { problem: `--attach ${path} is not a file. Fix the path.` }
      size = stat.size
    } catch (error) {
      return {
        problem: `cannot read the attachment ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Fix the path.`,
      }
    }
    if (size > MAX_ATTACHMENT_BYTES)
      return {
        problem: `the attachment ${path} is ${megabytes(size)}: Microsoft Graph accepts attachments up to 150 MB. Nothing was sent; share a link to it instead.`,
      }
  }
  try {
    return {
      files: paths.map((path) => ({
        name: basename(path),
        contentType: contentTypeOf(path),
        bytes: readFileSync(path),
      })),
    }
  } catch (error) {
    return { problem: `cannot read an attachment: ${(error as Error).message}. Fix the path.` }
  }
}

/** One line per problem, saying the fix. */
function problemLine(problem: FieldProblem): string {
  const option = problem.field === 'attachments' ? '--attach' : `--${problem.field}`
  switch (problem.reason) {
    case 'required':
      return '--to is required: give at least one recipient, e.g. --to lea@contoso.test.'
    case 'invalid-address':
      return `${option} "${problem.value}" is not an e-mail address: fix it (several: repeat ${option}, or separate with commas).`
    case 'line-break':
      return `${option} must be one line (no line break or control character).`
    case 'too-many':
      return problem.field === 'attachments'
        ? `at most ${problem.limit} attachments in one message: send the others in another, or zip them.`
        : `at most ${problem.limit} recipients (To, Cc and Bcc together): split the mailing.`
    case 'too-long':
      return `--subject is longer than ${problem.limit} characters: shorten it.`
    case 'too-large':
      return problem.field === 'body'
        ? 'the body is over 1 MB: attach the text as a file (--attach) instead.'
        : `the attachments are over ${megabytes(problem.limit ?? MAX_ATTACHMENT_BYTES)} together, Microsoft Graph's ceiling for a message: send them in several messages, or share a link.`
    case 'invalid-choice':
      return problem.field === 'importance'
        ? '--importance must be low, normal or high.'
        : `${option} holds a NUL character: is it a binary file? Attach it with --attach instead.`
    default:
      return `${option}: ${problem.reason}.`
  }
}
