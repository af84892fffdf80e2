/** `compileTemplate`: a merge's subject and body compiled once, rendered per row with the row's values. */
import { randomBytes } from 'node:crypto'
import { escapeHtml } from '../mail/escape-html.ts'
import { markdownToHtml } from '../mail/markdown-body.ts'
import type { MergeTemplate } from './merge-journal.ts'
import { templateParts, type Placeholder, type TemplatePart } from './template-parts.ts'

export type TemplateSource = Pick<MergeTemplate, 'subject' | 'body' | 'format' | 'importance'>

export interface RenderedMail {
  subject: string
  body: string
  bodyType: 'text' | 'html'
  /** Columns used without a fallback whose value is empty or absent (each once). */
  missing: string[]
  /** Columns whose value put a line break into the subject (it must stay one line). */
  lineBreaks: string[]
}

export interface CompiledTemplate {
  /** The placeholders' column names, in order of first use (subject, then body). */
  fields: string[]
  bodyType: 'text' | 'html'
  importance: 'low' | 'normal' | 'high'
  render(data: Record<string, string>): RenderedMail
}

const LINE_BREAK = /[\r\n\u2028\u2029]/

/**
 * Compiles the template: placeholders found (a syntax error throws MergeError('ERR_MERGE_INVALID') naming its
 * place), Markdown rendered to HTML once. Values go into the subject and text bodies as they are, and HTML-escaped
 * into HTML and Markdown bodies: a value never becomes markup.
 * @example compileTemplate({ subject: 'Hi {{name}}', body: '**{{name|there}}**', format: 'markdown' }).render({ name: 'Léa' })
 */
export function compileTemplate(template: TemplateSource): CompiledTemplate {
  const subject = templateParts(template.subject, 'subject')
  const bodyParts = templateParts(template.body, 'body')
  const body = template.format === 'markdown' ? markdownParts(bodyParts) : bodyParts
  const bodyType = template.format === 'text' ? 'text' : 'html'
  const escape = bodyType === 'html' ? escapeHtml : (value: string) => value
  return {
    fields: [...new Set([...subject, ...bodyParts].filter(isPlaceholder).map((part) => part.name))],
    bodyType,
    importance: template.importance ?? 'normal',
    render(data) {
      const missing = new Set<string>()
      const lineBreaks = new Set<string>()
      const value = (part: Placeholder) => {
        const given = Object.hasOwn(data, part.name) ? data[part.name]! : ''
        if (given.trim()) return given
        if (part.fallback === undefined) missing.add(part.name)
        return part.fallback ?? ''
      }
      const renderedSubject = fill(subject, (part) => {
        const text = value(part)
        if (LINE_BREAK.test(text)) lineBreaks.add(part.name)
        return text
      })
      const renderedBody = fill(body, (part) => escape(value(part)))
      return {
        subject: renderedSubject,
        body: renderedBody,
        bodyType,
        missing: [...missing],
        lineBreaks: [...lineBreaks],
      }
    },
  }
}

const isPlaceholder = (part: TemplatePart): part is Placeholder => typeof part !== 'string'

const fill = (parts: readonly TemplatePart[], value: (part: Placeholder) => string) =>
  parts.map((part) => (typeof part === 'string' ? part : value(part))).join('')

/**
 * The Markdown rendered once, placeholders standing in as tokens of letters and digits only — nothing Markdown
 * rewrites (a `_` in `first_name` would otherwise read as emphasis) — then split back into HTML and placeholders.
 */
function markdownParts(parts: readonly TemplatePart[]): TemplatePart[] {
  const source = parts.map((part) => (typeof part === 'string' ? part : '')).join('')
  let nonce: string
  do nonce = randomBytes(6).toString('hex').toUpperCase()
  while (source.includes(nonce))
  const placeholders = parts.filter(isPlaceholder)
  let next = 0
  const markdown = parts
    .map((part) => (typeof part === 'string' ? part : `MRG${nonce}X${next++}X`))
    .join('')
  const html = markdownToHtml(markdown)
  const token = new RegExp(`MRG${nonce}X(\\d+)X`, 'g')
  const out: TemplatePart[] = []
  let last = 0
  for (const match of html.matchAll(token)) {
    out.push(html.slice(last, match.index))
    out.push(placeholders[Number(match[1])]!)
    last = match.index + match[0].length
  }
  out.push(html.slice(last))
  return out.filter((part) => part !== '')
}
