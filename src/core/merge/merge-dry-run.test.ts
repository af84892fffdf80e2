/** dryRunMerge over a real CSV file: counts, bounded problem list, duplicate recipients, previews. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { dryRunMerge } from './merge-dry-run.ts'
import { readMergeRows } from './merge-rows.ts'
import { compileTemplate } from './merge-template.ts'

const dir = mkdtempSync(join(tmpdir(), 'merge-dry-'))
writeFileSync(join(dir, 'plan.pdf'), '%PDF-1.4')
const template = compileTemplate({
  subject: 'Hi {{name}}',
  body: '**{{name}}**',
  format: 'markdown',
})

test('every row is checked: counts, sizes, duplicate recipients, and the first previews', async () => {
  const csv = [
    'to;cc;name;attachments',
    'lea@x.test;;Léa;plan.pdf',
    'max@x.test;LEA@x.test;Max;',
    'zoe@x.test;;;',
    'bad row',
    'max@x.test;lea@x.test;Max again;plan.pdf',
    'ana@x.test;;Ana;missing.pdf',
  ].join('\n')
  writeFileSync(join(dir, 'rows.csv'), csv)
  const report = await dryRunMerge(readMergeRows(join(dir, 'rows.csv')), template, {
    baseDir: dir,
    previews: 1,
  })
  assert.equal(report.rows, 6)
  assert.equal(report.ok, 3)
  assert.equal(report.withProblems, 3)
  assert.equal(report.problemCount, 3)
  assert.match(report.problems[0]!, /^row 3 \(line 4\): column "name" is empty/)
  assert.match(report.problems[1]!, /^row 4 \(line 5\): 1 values for 4 columns/)
  assert.match(
    report.problems[2]!,
    /^row 6 \(line 7\): the attachment "missing.pdf" does not exist/,
  )
  assert.equal(report.recipients, 1 + 2 + 2)
  assert.equal(report.attachmentBytes, 16)
  assert.deepEqual(report.duplicateRecipients, { count: 2, first: ['lea@x.test', 'max@x.test'] })
  assert.deepEqual(report.previews, [
    {
      row: 1,
      to: ['lea@x.test'],
      subject: 'Hi Léa',
      body: '<p><strong>Léa</strong></p>\n',
      bodyType: 'html',
    },
  ])
})

test('the problem list keeps the first 50 lines and counts them all', async () => {
  async function* rows() {
    for (let row = 1; row <= 70; row++) yield { row, data: { to: `p${row}@x.test`, name: '' } }
  }
  const report = await dryRunMerge(rows(), template, { baseDir: dir, previews: 5 })
  assert.equal(report.withProblems, 70)
  assert.equal(report.problemCount, 70)
  assert.equal(report.problems.length, 50)
  assert.match(report.problems[49]!, /^row 50: /)
  assert.deepEqual(report.previews, [])
})
