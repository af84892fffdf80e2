/** `SourceRow`, what the rows file yields one at a time (columns, or why the row cannot be read), and `rowLabel`. */

/** A row read: its place among the data rows (1-based, the header not counted), the file line it starts on. */
export interface SourceData {
  row: number
  line: number
  data: Record<string, string>
}

/** A row that could not be read; the stream goes on with the next one. The problem names the row and the fix. */
export interface SourceProblem {
  row: number
  line: number
  problem: string
}

export type SourceRow = SourceData | SourceProblem

export type RowsFormat = 'csv' | 'jsonl'

/** "row 12 (line 13)": the data row, and the line a spreadsheet or an editor shows. */
export function rowLabel(row: { row: number; line?: number }): string {
  return row.line === undefined ? `row ${row.row}` : `row ${row.row} (line ${row.line})`
}
