/** `readCsvRows`: a CSV file's rows streamed — header names the columns, `,` or `;` found from the header line. */
import { parse, type CsvError, type Options } from 'csv-parse'
import { MergeError } from '../errors.ts'
import { openRowSource } from './open-row-source.ts'
import { rowLabel, type SourceRow } from './source-row.ts'

/** Past this, a record is an unclosed quote swallowing the file (a body is at most 1 MB), not a value. */
const MAX_RECORD_CHARS = 2 * 1024 * 1024

interface Parsed {
  values: string[]
  /** The line the record ends on. */
  endLine: number
  /** Records produced before this one. */
  seq: number
}

interface Skipped {
  /** Records produced before the skipped one: it comes before record `seq`. */
  seq: number
  line: number
  problem: string
}

/**
 * Rows as they are read; a row that cannot be parsed is a problem and the next one follows. The header (first
 * record) must name every column once. Values are trimmed around the delimiter (`a, "b"` is two values).
 */
export async function* readCsvRows(file: string): AsyncGenerator<SourceRow> {
  const { head, stream } = await openRowSource(file)
  const skipped: Skipped[] = []
  let seq = 0
  let extraLines = 0
  const options: Options<Parsed, string[]> = {
    bom: true,
    delimiter: detectDelimiter(head),
    record_delimiter: ['\r\n', '\n', '\r'],
    skip_empty_lines: true,
    trim: true,
    relax_column_count: true,
    max_record_size: MAX_RECORD_CHARS,
    skip_records_with_error: true,
    // csv-parse counts a CRLF inside quotes as two lines: take those back so lines are the editor's.
    on_record: (values: string[], context: { lines: number }): Parsed => {
      extraLines += values.reduce((total, value) => total + count(value, /\r\n/g), 0)
      return { values, endLine: context.lines - extraLines, seq: seq++ }
    },
    // The parser may report one broken record more than once as it resynchronises: keep its first report.
    on_skip: (error) => {
      const line = typeof error?.lines === 'number' ? error.lines : 0
      if (skipped.at(-1)?.line !== line || skipped.at(-1)?.seq !== seq)
        skipped.push({ seq, line, problem: csvProblem(error) })
      return undefined
    },
  }
  const parser = parse(options as unknown as Options)
  stream.on('error', (error) => parser.destroy(error))
  stream.pipe(parser)
  let columns: string[] | undefined
  let row = 0
  try {
    for await (const record of parser as AsyncIterable<Parsed>) {
      for (const skip of takeSkipped(skipped, record.seq)) {
        if (!columns) throw headerError(file, `it cannot be read: ${skip.problem}`)
        yield {
          row: ++row,
          line: skip.line,
          problem: `${rowLabel({ row, line: skip.line })}: ${skip.problem}`,
        }
      }
      if (!columns) {
        columns = headerColumns(file, record.values)
        continue
      }
      yield dataRow(columns, record, ++row)
    }
  } finally {
    stream.destroy()
  }
  for (const skip of skipped) {
    if (!columns) throw headerError(file, `it cannot be read: ${skip.problem}`)
    yield {
      row: ++row,
      line: skip.line,
      problem: `${rowLabel({ row, line: skip.line })}: ${skip.problem}`,
    }
  }
  if (!columns) throw headerError(file, 'the file is empty')
}

const count = (text: string, pattern: RegExp) => text.match(pattern)?.length ?? 0

function takeSkipped(skipped: Skipped[], seq: number): Skipped[] {
  let count = 0
  while (count < skipped.length && skipped[count]!.seq <= seq) count++
  return skipped.splice(0, count)
}

function dataRow(columns: string[], record: Parsed, row: number): SourceRow {
  const breaks = record.values.reduce((total, value) => total + count(value, /\r\n|\r|\n/g), 0)
  const line = record.endLine - breaks
  if (record.values.length !== columns.length)
    return {
      row,
      line,
      problem: `${rowLabel({ row, line })}: ${record.values.length} values for ${columns.length} columns (${columns.join(', ')}); a value holding the delimiter must be in quotes, and every row needs one value a column (empty ones too).`,
    }
  return {
    row,
    line,
    data: Object.fromEntries(columns.map((name, index) => [name, record.values[index]!])),
  }
}

function headerColumns(file: string, values: string[]): string[] {
  const names = values.map((value) => value.trim())
  const empty = names.findIndex((name) => name === '')
  if (empty >= 0)
    throw headerError(file, `column ${empty + 1} has no name: name it, or delete the column`)
  const duplicate = names.find((name, index) => names.indexOf(name) !== index)
  if (duplicate !== undefined)
    throw headerError(
      file,
      `the column "${duplicate}" appears twice: give each column its own name`,
    )
  return names
}

const headerError = (file: string, why: string) =>
  new MergeError('ERR_MERGE_INVALID', {
    message: `the header line of ${file} (its first line, the column names) is not usable: ${why}.`,
  })

/** `;` when the header line holds more of them than commas (French and German spreadsheets save `;`), else `,`. */
export function detectDelimiter(head: Buffer): ',' | ';' {
  let commas = 0
  let semicolons = 0
  let quoted = false
  for (const character of head.toString('utf8')) {
    if (character === '"') quoted = !quoted
    else if (quoted) continue
    else if (character === '\n' || character === '\r') break
    else if (character === ',') commas++
    else if (character === ';') semicolons++
  }
  return semicolons > commas ? ';' : ','
}

/** The parser's error, said as what to fix. */
function csvProblem(error: CsvError | undefined): string {
  switch (error?.code) {
    case 'INVALID_OPENING_QUOTE':
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'a quote (") in a value that is not quoted as a whole: put the value in quotes and double each quote inside it, e.g. "say ""hi""".'
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quote (") opened here is never closed, so the rest of the file was read as one value: close the quote, or double it ("") if it is part of the value.'
    case 'CSV_MAX_RECORD_SIZE':
      return 'a value from here on is over 2 MB: most likely a quote (") opened here is never closed, and reading stopped — the rows after it were not read. Close the quote, or double it ("") if it is part of the value.'
    default:
      return `${error?.message ?? 'this row cannot be read'}: fix the row.`
  }
}
