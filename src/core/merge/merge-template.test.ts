/** compileTemplate: placeholders, fallbacks, escaping in HTML and Markdown bodies, the one-line subject, syntax errors. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MergeError } from '../errors.ts'
import { compileTemplate } from './merge-template.ts'

const SCRIPT = '<script>alert("x")</script> & \'co\''
const ESCAPED = '&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#39;co&#39;'

test('placeholders with spaces, fallbacks for empty or absent columns, and \\{{ as a literal', () => {
  const template = compileTemplate({
    subject: 'Hello {{ first_name | there }}',
    body: 'Dear {{first_name|friend}}, your code is {{ code }}. Write \\{{code}} to reuse it. {{ code }}',
    format: 'text',
  })
  assert.deepEqual(template.fields, ['first_name', 'code'])
  assert.deepEqual(template.render({ first_name: 'Léa', code: 'A1' }), {
    subject: 'Hello Léa',
    body: 'Dear Léa, your code is A1. Write {{code}} to reuse it. A1',
    bodyType: 'text',
    missing: [],
    lineBreaks: [],
  })
  const fallen = template.render({ first_name: '  ' })
  assert.equal(fallen.subject, 'Hello there')
  assert.equal(fallen.body, 'Dear friend, your code is . Write {{code}} to reuse it. ')
  assert.deepEqual(fallen.missing, ['code'], 'reported once although used twice')
})

test('values go as they are into the subject and a text body', () => {
  const rendered = compileTemplate({ subject: 'Re: {{v}}', body: '{{v}}', format: 'text' }).render({
    v: SCRIPT,
  })
  assert.equal(rendered.subject, `Re: ${SCRIPT}`)
  assert.equal(rendered.body, SCRIPT)
})

test('an HTML body escapes values (and fallbacks), never the template itself', () => {
  const template = compileTemplate({
    subject: '{{v}}',
    body: '<p title="{{v}}">Hi <b>{{v}}</b> {{w|<i>}}</p>',
    format: 'html',
  })
  const rendered = template.render({ v: SCRIPT })
  assert.equal(rendered.bodyType, 'html')
  assert.equal(rendered.body, `<p title="${ESCAPED}">Hi <b>${ESCAPED}</b> &#60;i&#62;</p>`)
  assert.equal(rendered.subject, SCRIPT, 'the subject is text: not escaped')
})

test('Markdown is rendered once; column names like first_name survive it; values are escaped', () => {
  const template = compileTemplate({
    subject: 'Hi',
    body: '# Hello {{first_name}}\n\n**{{ last_name }}** and _{{first_name}}_ at [{{site}}](https://x.test/{{site}}) `{{code}}`\n',
    format: 'markdown',
  })
  assert.deepEqual(template.fields, ['first_name', 'last_name', 'site', 'code'])
  const rendered = template.render({
    first_name: 'Léa',
    last_name: 'Dupont_Martin',
    site: 'a b',
    code: SCRIPT,
  })
  assert.equal(rendered.bodyType, 'html')
  assert.equal(
    rendered.body,
    `<h1>Hello Léa</h1>\n<p><strong>Dupont_Martin</strong> and <em>Léa</em> at <a href="https://x.test/a b">a b</a> <code>${ESCAPED}</code></p>\n`,
  )
  const injected = template.render({
    first_name: SCRIPT,
    last_name: '*not bold*',
    site: 's',
    code: 'c',
  })
  assert.ok(!injected.body.includes('<script>'), injected.body)
  assert.ok(injected.body.includes(`<h1>Hello ${ESCAPED}</h1>`), injected.body)
  assert.match(injected.body, /<strong>\*not bold\*<\/strong>/, 'a value is text, not Markdown')
})

test('a line break in a value used in the subject is reported, not joined', () => {
  const template = compileTemplate({
    subject: 'About {{topic}} for {{name}}',
    body: '{{topic}}',
    format: 'text',
  })
  const rendered = template.render({ topic: 'one\ntwo', name: 'Léa' })
  assert.deepEqual(rendered.lineBreaks, ['topic'])
  assert.equal(rendered.subject, 'About one\ntwo for Léa')
  assert.deepEqual(template.render({ topic: 'one', name: 'Léa' }).lineBreaks, [])
})

test('an unclosed {{ or an empty name is refused, naming its place', () => {
  const refused = (pattern: RegExp) => (error: unknown) => {
    assert.ok(error instanceof MergeError)
    assert.equal(error.code, 'ERR_MERGE_INVALID')
    assert.match(error.message, pattern)
    return true
  }
  assert.throws(
    () => compileTemplate({ subject: 'ok', body: 'line one\nHi {{ name\n}}', format: 'text' }),
    refused(/template's body, line 2, column 4: this \{\{ is not closed/),
  )
  assert.throws(
    () => compileTemplate({ subject: 'Hi {{ |x}}', body: '', format: 'html' }),
    refused(/template's subject, line 1, column 4: this placeholder has no column name/),
  )
  assert.throws(
    () => compileTemplate({ subject: '{{a {{b}}', body: '', format: 'text' }),
    refused(/not closed/),
  )
})
