/** fieldErrors: core's field problems worded in English and French, every code in both languages. */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { parseSendForm } from '../core/index.ts'
import { fieldErrors } from './field-errors.ts'
import { translators } from './i18n/i18n.ts'

describe('parseSendForm worded by the web side', () => {
  test('reports every bad field at once, in English or French, with 400', () => {
    const result = parseSendForm(
      {
        to: 'nope, a@x.test',
        cc: 'a@b.c\r\nBcc: evil@x.test',
        subject: 'Hi\r\nBcc: evil@x.test',
        format: 'rtf',
        importance: 'urgent',
      },
      [],
    )
    assert.equal(result.ok, false)
    assert.ok(!result.ok)
    assert.equal(result.status, 400)
    const errors = fieldErrors(result.problems, translators.fr)
    assert.deepEqual(Object.keys(errors).sort(), ['cc', 'format', 'importance', 'subject', 'to'])
    assert.match(errors.to!, /«\u202fnope\u202f» n’est pas une adresse e-mail valide/)
    assert.deepEqual(
      result.problems.find((problem) => problem.field === 'to'),
      { field: 'to', reason: 'invalid-address', value: 'nope' },
    )
    const english = parseSendForm({ to: '' })
    assert.ok(
      !english.ok &&
        fieldErrors(english.problems, translators.en).to === 'Enter at least one recipient.',
    )
  })

  test('parseSendForm refuses what needs a draft when large attachments are not allowed (413, attachments field)', () => {
    const refused = parseSendForm(
      { to: 'a@contoso.test' },
      [
        {
          name: 'big.bin',
          contentType: 'application/octet-stream',
          bytes: new Uint8Array(3 * 1024 * 1024 + 1),
        },
      ],
      { largeAttachments: false },
    )
    assert.ok(!refused.ok)
    assert.equal(refused.status, 413)
    assert.match(
      fieldErrors(refused.problems, translators.en).attachments ?? '',
      /^This app sends attachments of up to 3 MB in all: attach smaller files, or send them in several mails\.$/,
    )
  })

  test('every code has its message in both languages, limits included', () => {
    const limits = parseSendForm(
      {
        to: Array.from({ length: 101 }, (_, i) => `u${i}@x.test`).join(','),
        subject: 's'.repeat(256),
        body: 'x'.repeat(1024 * 1024 + 1),
      },
      Array.from({ length: 21 }, (_, i) => ({
        name: `f${i}`,
        contentType: 'text/plain',
        bytes: new Uint8Array(1),
      })),
    )
    assert.ok(!limits.ok)
    assert.deepEqual(fieldErrors(limits.problems, translators.en), {
      to: 'Send to at most 100 recipients in all.',
      subject: 'Keep the subject under 255 characters.',
      body: 'The message is larger than 1 MB.',
      attachments: 'Attach at most 20 files.',
    })
    assert.deepEqual(fieldErrors(limits.problems, translators.fr), {
      to: 'Envoyez à 100 destinataires au plus en tout.',
      subject: 'L’objet doit faire moins de 255 caractères.',
      body: 'Le message dépasse 1 Mo.',
      attachments: 'Joignez au plus 20 fichiers.',
    })
  })
})
