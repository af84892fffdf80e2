/** `templateParts`: a template text split into literal text and `{{ column }}` / `{{ column|fallback }}` placeholders. */
import { MergeError } from '../errors.ts'

export interface Placeholder {
  name: string
  /** Used when the column is empty or absent. */
  fallback?: string
}

export type TemplatePart = string | Placeholder

/**
 * Splits `text` (the template's `where`: "subject" or "body"). `\{{` is a literal `{{`. An unclosed `{{` or an empty
 * name throws MergeError('ERR_MERGE_INVALID') naming the line and column.
 * @example templateParts('Hello {{ first_name|there }}!', 'subject') // ['Hello ', { name: 'first_name', fallback: 'there' }, '!']
 */
export function templateParts(text: string, where: string): TemplatePart[] {
  const parts: TemplatePart[] = []
  let literal = ''
  let index = 0
  while (index < text.length) {
    if (text.startsWith('\\{{', index)) {
      literal += '{{'
      index += 3
      continue
    }
    if (!text.startsWith('{{', index)) {
      literal += text[index++]
      continue
    }
    const end = text.indexOf('}}', index + 2)
    const inner = end < 0 ? '' : text.slice(index + 2, end)
    if (end < 0 || /[{\r\n]/.test(inner))
      throw invalid(
        text,
        index,
        where,
        'this {{ is not closed by }} on the same line: close it, or write \\{{ for a literal {{',
      )
    const bar = inner.indexOf('|')
    const name = (bar < 0 ? inner : inner.slice(0, bar)).trim()
    if (!name)
      throw invalid(
        text,
        index,
        where,
        'this placeholder has no column name: write {{ column }}, e.g. {{ first_name }}',
      )
    if (literal) parts.push(literal)
    literal = ''
    parts.push(bar < 0 ? { name } : { name, fallback: inner.slice(bar + 1).trim() })
    index = end + 2
  }
  if (literal) parts.push(literal)
  return parts
}

function invalid(text: string, index: number, where: string, why: string): MergeError {
  const before = text.slice(0, index)
  const line = before.split('\n').length
  const column = index - before.lastIndexOf('\n')
  return new MergeError('ERR_MERGE_INVALID', {
    message: `the template's ${where}, line ${line}, column ${column}: ${why}.`,
  })
}
