/** checkMergeRow: recipients, placeholders, the one-line subject, attachments (present, missing, too large). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkMergeRow, type RowCheck, type RowCheckOptions } from './merge-row-check.ts'
import { compileTemplate } from './merge-template.ts'

const dir = mkdtempSync(join(tmpdir(), 'merge-check-'))
writeFileSync(join(dir, 'note.txt'), 'hello')
writeFileSync(join(dir, 'plan, v2.pdf'), '%PDF-1.4')
mkdirSync(join(dir, 'folder'))
const sparse = (name: string, megabytes: number) => {
  const path = join(dir, name)
  writeFileSync(path, '')
  truncateSync(path, megabytes * 1024 * 1024)
  return path
}
const huge = sparse('huge.bin', 151)
sparse('half-a.bin', 100)
sparse('half-b.bin', 60)
sparse('four.bin', 4)

const template = compileTemplate({
  subject: 'Hello {{first_name}}',
  body: '<p>Dear {{first_name}} {{ last_name|}}</p>',
  format: 'html',
  importance: 'high',
})
const options: RowCheckOptions = { baseDir: dir, readAttachments: true }
const row = (data: Record<string, string>) => ({ row: 12, line: 13, data })
const problems = (check: RowCheck) => {
  assert.equal(check.ok, false, 'the row is refused')
  return check.ok ? [] : check.problems
}

test('a good row becomes a ParsedMail; recipients de-duplicated across To, Cc and Bcc, lower-cased', async () => {
  const check = await checkMergeRow(
    template,
    row({
      to: 'Lea@X.test; max@x.test,',
      cc: 'lea@x.test, zoe@x.test',
      bcc: 'MAX@x.test',
      first_name: 'Léa',
    }),
    options,
  )
  assert.deepEqual(check, {
    ok: true,
    mail: {
      to: ['Lea@X.test', 'max@x.test'],
      cc: ['zoe@x.test'],
      bcc: [],
      subject: 'Hello Léa',
      body: '<p>Dear Léa </p>',
      bodyType: 'html',
      importance: 'high',
      saveToSentItems: true,
      attachments: [],
    },
    recipients: ['lea@x.test', 'max@x.test', 'zoe@x.test'],
    attachmentBytes: 0,
  })
})

test('an empty or absent placeholder column is a problem that names the row and the fix', async () => {
  assert.deepEqual(
    problems(await checkMergeRow(template, row({ to: 'a@x.test', first_name: ' ' }), options)),
    [
      'row 12 (line 13): column "first_name" is empty; give it a value, or a default in the template: {{first_name|your text}}.',
    ],
  )
  const absent = problems(
    await checkMergeRow(template, { row: 3, data: { to: 'a@x.test', name: 'L' } }, options),
  )
  assert.deepEqual(absent, [
    'row 3: there is no column "first_name" (the columns: to, name); fix the placeholder {{first_name}}, or add the column.',
  ])
})

test('addresses: invalid, absent, none, too many, custom columns', async () => {
  const invalid = problems(
    await checkMergeRow(template, row({ to: 'a@x.test; nope', first_name: 'L' }), options),
  )
  assert.deepEqual(invalid, [
    'row 12 (line 13): "nope" in the "to" column is not an e-mail address: fix it (several addresses: separate them with , or ;).',
  ])
  const noColumn = problems(
    await checkMergeRow(template, row({ email: 'a@x.test', first_name: 'L' }), options),
  )
  assert.equal(noColumn.length, 1)
  assert.match(noColumn[0]!, /^row 12 \(line 13\): there is no "to" column/)
  assert.match(
    problems(await checkMergeRow(template, row({ to: '', first_name: 'L' }), options))[0]!,
    /no recipient/,
  )
  const many = Array.from({ length: 101 }, (_, index) => `p${index}@x.test`).join(';')
  assert.match(
    problems(await checkMergeRow(template, row({ to: many, first_name: 'L' }), options))[0]!,
    /more than 100 recipients/,
  )
  const custom = await checkMergeRow(
    template,
    row({ email: 'a@x.test', copy: 'b@x.test', first_name: 'L' }),
    {
      ...options,
      columns: { to: 'email', cc: 'copy' },
    },
  )
  assert.ok(custom.ok)
  assert.deepEqual(custom.recipients, ['a@x.test', 'b@x.test'])
})

test('a value that would break the subject line is one problem, naming the column', async () => {
  assert.deepEqual(
    problems(
      await checkMergeRow(template, row({ to: 'a@x.test', first_name: 'Léa\r\nBcc: x' }), options),
    ),
    [
      'row 12 (line 13): the value of "first_name" holds a line break, and the subject must be one line: remove it from the value, or move {{first_name}} into the body.',
    ],
  )
})

test('a problem read from the file passes through as it is', async () => {
  const check = await checkMergeRow(
    template,
    { row: 4, line: 6, problem: 'row 4 (line 6): bad' },
    options,
  )
  assert.deepEqual(check, { ok: false, problems: ['row 4 (line 6): bad'] })
})

test('attachments: relative or absolute, read when asked, only looked at in a dry run', async () => {
  const data = {
    to: 'a@x.test',
    first_name: 'L',
    attachments: ` note.txt ; ${join(dir, 'plan, v2.pdf')};`,
  }
  const sent = await checkMergeRow(template, row(data), options)
  assert.ok(sent.ok)
  assert.equal(sent.attachmentBytes, 13)
  assert.deepEqual(
    sent.mail.attachments.map((file) => [
      file.name,
      file.contentType,
      Buffer.from(file.bytes).toString(),
    ]),
    [
      ['note.txt', 'text/plain', 'hello'],
      ['plan, v2.pdf', 'application/pdf', '%PDF-1.4'],
    ],
  )
  const dry = await checkMergeRow(template, row(data), {
    ...options,
    readAttachments: false,
  })
  assert.ok(dry.ok)
  assert.deepEqual(dry.mail.attachments, [], 'nothing read')
  assert.equal(dry.attachmentBytes, 13, 'sizes counted all the same')
})

test('attachments: missing, a folder, too large one by one or together, or needing a draft', async () => {
  const refused = async (attachments: string, extra: Partial<RowCheckOptions> = {}) =>
    problems(
      await checkMergeRow(template, row({ to: 'a@x.test', first_name: 'L', attachments }), {
        ...options,
        ...extra,
      }),
    )
  assert.deepEqual(await refused('missing.pdf'), [
    `row 12 (line 13): the attachment "missing.pdf" does not exist (looked for ${join(dir, 'missing.pdf')}): fix the path in the "attachments" column (relative paths start from ${dir}).`,
  ])
  assert.match((await refused('folder'))[0]!, /"folder" is not a file/)
  assert.deepEqual(await refused(huge, { readAttachments: false }), [
    `row 12 (line 13): the attachment "${huge}" is 151.0 MB, over the 150 MB Microsoft Graph accepts for one attachment: share a link to it instead.`,
  ])
  assert.match(
    (await refused('half-a.bin; half-b.bin', { readAttachments: false }))[0]!,
    /the attachments are 160\.0 MB together, over the 150 MB a message may carry/,
  )
  assert.match(
    (await refused('four.bin', { largeAttachments: false }))[0]!,
    /needs the Mail\.ReadWrite permission/,
  )
  const fine = await checkMergeRow(
    template,
    row({ to: 'a@x.test', first_name: 'L', attachments: 'four.bin' }),
    {
      ...options,
      readAttachments: false,
    },
  )
  assert.ok(fine.ok, 'through a draft, 4 MB is fine')
})
