/** readMergeRows: CSV quirks (BOM, `;`, quoted newlines, bad header, ragged rows), JSON lines, and streaming. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MergeError } from '../errors.ts'
import { readMergeRows } from './merge-rows.ts'
import type { SourceRow } from './source-row.ts'

const dir = mkdtempSync(join(tmpdir(), 'merge-rows-'))
let files = 0
const file = (extension: string, content: string | Buffer) => {
  const path = join(dir, `rows-${++files}${extension}`)
  writeFileSync(path, content)
  return path
}
const all = async (rows: AsyncIterable<SourceRow>) => {
  const out: SourceRow[] = []
  for await (const row of rows) out.push(row)
  return out
}
const refused = (pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof MergeError, String(error))
  assert.equal(error.code, 'ERR_MERGE_INVALID')
  assert.match(error.message, pattern)
  return true
}

test('CSV: BOM stripped, `;` detected, quoted newlines and delimiters, CRLF, empty lines skipped', async () => {
  const csv =
    '\ufeff to ;first_name;note\r\n\r\nlea@x.test;Léa;"deux\r\nlignes; et ""guillemets"""\r\nmax@x.test;Max;"a,b"\r\n\r\n'
  assert.deepEqual(await all(readMergeRows(file('.csv', csv))), [
    {
      row: 1,
      line: 3,
      data: { to: 'lea@x.test', first_name: 'Léa', note: 'deux\r\nlignes; et "guillemets"' },
    },
    { row: 2, line: 5, data: { to: 'max@x.test', first_name: 'Max', note: 'a,b' } },
  ])
})

test('CSV: commas by default, `;` kept inside values, spaces around the delimiter trimmed', async () => {
  const csv = 'to,name\n"a@x.test;b@x.test", "Dupont, Léa"\nc@x.test,Max'
  assert.deepEqual(await all(readMergeRows(file('.csv', csv))), [
    { row: 1, line: 2, data: { to: 'a@x.test;b@x.test', name: 'Dupont, Léa' } },
    { row: 2, line: 3, data: { to: 'c@x.test', name: 'Max' } },
  ])
})

test('CSV: a ragged row or a stray quote is a problem for that row, and the rows after it follow', async () => {
  const csv = 'to,name\na@x.test,A\nb@x.test,B,extra\nc@x.test\nd@x.test,say "hi"\ne@x.test,E\n'
  const rows = await all(readMergeRows(file('.csv', csv)))
  assert.deepEqual(
    rows.map((row) => [row.row, row.line, 'data' in row]),
    [
      [1, 2, true],
      [2, 3, false],
      [3, 4, false],
      [4, 5, false],
      [5, 6, true],
    ],
  )
  const problems = rows.flatMap((row) => ('problem' in row ? [row.problem] : []))
  assert.match(problems[0]!, /^row 2 \(line 3\): 3 values for 2 columns \(to, name\)/)
  assert.match(problems[1]!, /^row 3 \(line 4\): 1 values for 2 columns/)
  assert.match(problems[2]!, /^row 4 \(line 5\): a quote .* put the value in quotes/)
  assert.deepEqual(rows[4], { row: 5, line: 6, data: { to: 'e@x.test', name: 'E' } })
})

test('CSV: a quote never closed is reported, not swallowed silently', async () => {
  const rows = await all(
    readMergeRows(file('.csv', 'to,name\na@x.test,A\nb@x.test,"B\nc@x.test,C\n')),
  )
  assert.equal(rows.length, 2)
  assert.ok('data' in rows[0]!)
  assert.ok('problem' in rows[1]!)
  assert.match(rows[1].problem, /^row 2 .*never closed/)
})

test('CSV: an empty or duplicate column name, or an empty file, refuses the whole file', async () => {
  await assert.rejects(
    all(readMergeRows(file('.csv', 'to,,name\na,b,c\n'))),
    refused(/column 2 has no name/),
  )
  await assert.rejects(
    all(readMergeRows(file('.csv', 'to,name, to\na,b,c\n'))),
    refused(/"to" appears twice/),
  )
  await assert.rejects(all(readMergeRows(file('.csv', '\n\n'))), refused(/the file is empty/))
})

test('JSON lines: values become strings, empty lines skipped, a bad line is a problem and the next follows', async () => {
  const jsonl = [
    '\ufeff{"to": "lea@x.test", "age": 41, "vip": true, "note": null}',
    '',
    '{"to": "max@x.test", "tags": ["a"]}',
    'not json',
    '["a"]',
    '{"to": "zoe@x.test"}\r',
  ].join('\n')
  const rows = await all(readMergeRows(file('.ndjson', jsonl)))
  assert.deepEqual(rows[0], {
    row: 1,
    line: 1,
    data: { to: 'lea@x.test', age: '41', vip: 'true', note: '' },
  })
  assert.match((rows[1] as { problem: string }).problem, /^row 2 \(line 3\): "tags" holds a list/)
  assert.match((rows[2] as { problem: string }).problem, /^row 3 \(line 4\): not JSON/)
  assert.match((rows[3] as { problem: string }).problem, /^row 4 \(line 5\): not an object/)
  assert.deepEqual(rows[4], { row: 5, line: 6, data: { to: 'zoe@x.test' } })
})

test('the format comes from the extension unless given', async () => {
  const path = file('.data', '{"to": "a@x.test"}\n')
  assert.throws(() => readMergeRows(path), refused(/cannot tell the format .*\(csv or jsonl\)/))
  assert.throws(() => readMergeRows(file('.xlsx', '')), refused(/save the sheet as "CSV UTF-8"/))
  assert.deepEqual(await all(readMergeRows(path, { format: 'jsonl' })), [
    { row: 1, line: 1, data: { to: 'a@x.test' } },
  ])
})

test('a missing file, a folder, or UTF-16 text is refused with what to do', async () => {
  await assert.rejects(
    all(readMergeRows(join(dir, 'nope.csv'))),
    refused(/does not exist: check the path/),
  )
  mkdirSync(join(dir, 'folder.csv'))
  await assert.rejects(all(readMergeRows(join(dir, 'folder.csv'))), refused(/is a folder/))
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('to\na@x.test\n', 'utf16le')])
  await assert.rejects(all(readMergeRows(file('.csv', utf16))), refused(/UTF-16.*CSV UTF-8/))
})

/**
 * Through a named pipe: the first row must arrive while the writer still holds the rest back. `first` ends inside the
 * second row: the CSV parser looks a few characters past a line break before it closes a record.
 */
async function firstRowBeforeTheEnd(extension: string, first: string, rest: string) {
  const fifo = join(dir, `pipe-${++files}${extension}`)
  execFileSync('mkfifo', [fifo])
  const rows = readMergeRows(fifo)[Symbol.asyncIterator]()
  const reading = rows.next()
  const writer = await open(fifo, 'w')
  try {
    await writer.write(first)
    const row = await reading
    assert.equal(row.done, false)
    assert.ok('data' in row.value, JSON.stringify(row.value))
    await writer.write(rest)
  } finally {
    await writer.close()
  }
  let more = 0
  for (let next = await rows.next(); !next.done; next = await rows.next()) more++
  return more
}

test(
  'CSV rows are yielded as they are read, not after the whole file',
  { timeout: 20_000 },
  async () => {
    assert.equal(
      await firstRowBeforeTheEnd('.csv', 'to,name\na@x.test,A\nb@x', '.test,B\nc@x.test,C\n'),
      2,
    )
  },
)

test(
  'JSON lines are yielded as they are read, not after the whole file',
  { timeout: 20_000 },
  async () => {
    assert.equal(
      await firstRowBeforeTheEnd('.jsonl', '{"to":"a@x.test"}\n{"to"', ':"b@x.test"}\n'),
      1,
    )
  },
)
