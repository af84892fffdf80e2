/**
 * `--output text|json|csv|md` for the commands that print data: `outputFormat` reads the option, `formatTable` prints
 * rows under columns, `formatRecord` one record as fields; `OUTPUT_OPTION`, `Column`.
 */
import type { OptionValues } from './command.ts'

export type OutputFormat = 'text' | 'json' | 'csv' | 'md'

export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'json', 'csv', 'md']

/** The option as each data command declares it. */
export const OUTPUT_OPTION = { output: { type: 'string', short: 'o', default: 'text' } } as const

export const OUTPUT_HELP =
  '--output, -o <f>    text (default), json, csv or md (a Markdown table): the data, on stdout'

/** The format asked for, or the usage problem (one line). */
export function outputFormat(values: OptionValues): OutputFormat | { problem: string } {
  const value = String(values.output ?? 'text')
  return (OUTPUT_FORMATS as readonly string[]).includes(value)
    ? (value as OutputFormat)
    : { problem: `--output must be one of ${OUTPUT_FORMATS.join(', ')}, got "${value}".` }
}

export interface Column {
  key: string
  title: string
}

type Row = Record<string, unknown>

const cell = (value: unknown): string =>
  value === undefined || value === null
    ? ''
    : Array.isArray(value)
      ? value.map(cell).join(', ')
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value)

/** RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled. */
const csvCell = (value: unknown) => {
  const text = cell(value)
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

const mdCell = (value: unknown) =>
  cell(value)
    .replaceAll('\\', '\\\\')
    .replaceAll('|', '\\|')
    .replaceAll('<', '&lt;')
    .replace(/\r?\n/g, '<br>')

/** Text: one line a row, columns aligned (the last one unpadded); `empty` when there is no row. */
export function formatTable(
  rows: readonly Row[],
  columns: readonly Column[],
  format: OutputFormat,
  empty = '(none)',
): string {
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`
  if (format === 'csv')
    return [
      columns.map((column) => csvCell(column.key)),
      ...rows.map((row) => columns.map((column) => csvCell(row[column.key]))),
    ]
      .map((line) => `${line.join(',')}\r\n`)
      .join('')
  if (format === 'md')
    return [
      `| ${columns.map((column) => mdCell(column.title)).join(' | ')} |`,
      `|${columns.map(() => '---').join('|')}|`,
      ...rows.map((row) => `| ${columns.map((column) => mdCell(row[column.key])).join(' | ')} |`),
    ]
      .map((line) => `${line}\n`)
      .join('')
  if (!rows.length) return `${empty}\n`
  const texts = rows.map((row) =>
    columns.map((column) => cell(row[column.key]).replace(/\s+/g, ' ')),
  )
  const widths = columns.map((column, index) =>
    Math.max(column.title.length, ...texts.map((line) => line[index]!.length)),
  )
  const line = (values: string[]) =>
    values
      .map((value, index) => (index < values.length - 1 ? value.padEnd(widths[index]!) : value))
      .join('  ')
  return [line(columns.map((column) => column.title)), ...texts.map(line)]
    .map((text) => `${text.trimEnd()}\n`)
    .join('')
}

/** One record: `Field: value` lines in text, a two-column table in md, one row in csv, an object in json. */
export function formatRecord(
  record: Row,
  labels: Record<string, string>,
  format: OutputFormat,
): string {
  if (format === 'json') return `${JSON.stringify(record, null, 2)}\n`
  const keys = Object.keys(labels).filter((key) => record[key] !== undefined)
  if (format === 'csv')
    return formatTable(
      [record],
      keys.map((key) => ({ key, title: key })),
      'csv',
    )
  if (format === 'md')
    return formatTable(
      keys.map((key) => ({ field: labels[key], value: record[key] })),
      [
        { key: 'field', title: 'Field' },
        { key: 'value', title: 'Value' },
      ],
      'md',
    )
  const width = Math.max(...keys.map((key) => labels[key]!.length)) + 1
  return keys.map((key) => `${`${labels[key]}:`.padEnd(width)} ${cell(record[key])}\n`).join('')
}
