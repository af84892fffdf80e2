/** `readMergeRows`: a merge's rows streamed from CSV or JSON lines (format from the extension unless given). */
import { extname } from 'node:path'
import { MergeError } from '../errors.ts'
import { readCsvRows } from './read-csv-rows.ts'
import { readJsonlRows } from './read-jsonl-rows.ts'
import type { RowsFormat, SourceRow } from './source-row.ts'

export interface ReadRowsOptions {
  format?: RowsFormat
}

/**
 * The rows of `file`, read as they are consumed (constant memory whatever the file's size). A row that cannot be
 * read comes as `{ row, line, problem }` and the rows after it follow. An unknown format throws MergeError at once;
 * a file that cannot be opened, or whose header is unusable, throws MergeError('ERR_MERGE_INVALID') on iteration.
 * @example for await (const row of readMergeRows('people.csv')) if ('data' in row) console.log(row.data.to)
 */
export function readMergeRows(
  file: string,
  options: ReadRowsOptions = {},
): AsyncIterable<SourceRow> {
  const format = options.format ?? formatOf(file)
  return format === 'csv' ? readCsvRows(file) : readJsonlRows(file)
}

function formatOf(file: string): RowsFormat {
  const extension = extname(file).toLowerCase()
  if (extension === '.csv' || extension === '.txt') return 'csv'
  if (extension === '.jsonl' || extension === '.ndjson') return 'jsonl'
  const hint =
    extension === '.xlsx' || extension === '.xls' || extension === '.ods'
      ? ' save the sheet as "CSV UTF-8" first, or'
      : ''
  throw new MergeError('ERR_MERGE_INVALID', {
    message: `cannot tell the format of the rows file ${file} from its extension:${hint} name it .csv, .jsonl or .ndjson, or say the format (csv or jsonl).`,
  })
}
