/** `readJsonlRows`: a JSON lines file's rows streamed, one object a line, its values as strings. */
import { createInterface } from 'node:readline'
import { openRowSource } from './open-row-source.ts'
import { rowLabel, type SourceRow } from './source-row.ts'

const EXAMPLE = '{"to": "lea@contoso.test", "first_name": "Léa"}'

/** Rows as they are read; empty lines are skipped; a line that is not a flat object is a problem, the next follows. */
export async function* readJsonlRows(file: string): AsyncGenerator<SourceRow> {
  const { stream } = await openRowSource(file)
  const lines = createInterface({ input: stream, crlfDelay: Infinity })
  let line = 0
  let row = 0
  try {
    for await (const text of lines) {
      line++
      const json = line === 1 ? text.replace(/^\uFEFF/, '') : text
      if (!json.trim()) continue
      row++
      yield jsonRow(json, row, line)
    }
  } finally {
    lines.close()
    stream.destroy()
  }
}

function jsonRow(json: string, row: number, line: number): SourceRow {
  const label = rowLabel({ row, line })
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch (error) {
    return {
      row,
      line,
      problem: `${label}: not JSON (${(error as Error).message}); each line must be one object, e.g. ${EXAMPLE}.`,
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return {
      row,
      line,
      problem: `${label}: not an object; each line must be one object, e.g. ${EXAMPLE}.`,
    }
  const data: Record<string, string> = {}
  for (const [key, item] of Object.entries(value)) {
    if (item !== null && typeof item === 'object')
      return {
        row,
        line,
        problem: `${label}: "${key}" holds ${Array.isArray(item) ? 'a list' : 'an object'}; give each column a string, a number or true/false (several addresses: one string, separated by ",").`,
      }
    // null is an empty value, as an empty cell would be.
    data[key.trim()] = item === null ? '' : String(item)
  }
  return { row, line, data }
}
