/** parseSendForm's field codes and limits (SE-08, with fast-check properties); composeMessage and sendParsedMail. */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { composeMessage } from './compose-message.ts'
import { mailLimits } from './mail-limits.ts'
import type { ParsedMail } from './mail.ts'
import {
  allowsLargeAttachments,
  isValidAddress,
  parseSendForm,
  safeFileName,
} from './parse-send-form.ts'
import { sendParsedMail, type MailGraph } from './send-parsed-mail.ts'

const ok = (
  fields: Record<string, string>,
  files = [] as { name: string; contentType: string; bytes: Uint8Array }[],
) => {
  const result = parseSendForm(fields, files)
  assert.ok(result.ok, JSON.stringify(!result.ok && result.problems))
  return result
}

describe('parseSendForm', () => {
  test('parses recipients separated by , or ; — trimmed and de-duplicated across To, Cc and Bcc', () => {
    const result = ok({
      to: ' a@x.test; b@x.test ,',
      cc: 'A@x.test, c@x.test',
      bcc: 'd@x.test',
      subject: ' Hi ',
      body: 'Hello',
      format: 'text',
      importance: 'high',
      saveToSentItems: 'on',
    })
    assert.deepEqual(result.message, {
      to: ['a@x.test', 'b@x.test'],
      cc: ['c@x.test'],
      bcc: ['d@x.test'],
      subject: 'Hi',
      body: 'Hello',
      bodyType: 'text',
      importance: 'high',
      saveToSentItems: true,
      attachments: [],
    })
    assert.deepEqual(result.recipients, ['a@x.test', 'b@x.test', 'c@x.test', 'd@x.test'])
    assert.equal(ok({ to: 'a@x.test' }).message.saveToSentItems, false)
    assert.equal(ok({ to: 'a@x.test' }).message.bodyType, 'html')
  })

  test('reports every bad field at once as codes (the web side words them), with 400', () => {
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
    assert.deepEqual([...new Set(result.problems.map((problem) => problem.field))].sort(), [
      'cc',
      'format',
      'importance',
      'subject',
      'to',
    ])
    assert.deepEqual(
      result.problems.find((problem) => problem.field === 'to'),
      { field: 'to', reason: 'invalid-address', value: 'nope' },
    )
    assert.deepEqual(
      result.problems.map((problem) => problem.reason),
      ['invalid-address', 'line-break', 'line-break', 'invalid-choice', 'invalid-choice'],
    )
    const empty = parseSendForm({ to: '' })
    assert.ok(!empty.ok)
    assert.deepEqual(empty.problems, [{ field: 'to', reason: 'required' }])
  })

  test('limits: 101 recipients, a 256-character subject, a 65-character local part → 400; a 1 MB+ body or 25 MB+ attachments → 413', () => {
    const many = Array.from({ length: mailLimits.recipients + 1 }, (_, i) => `u${i}@x.test`).join(
      ',',
    )
    assert.ok(!parseSendForm({ to: many }).ok)
    assert.ok(!parseSendForm({ to: 'a@x.test', subject: 's'.repeat(256) }).ok)
    assert.ok(!parseSendForm({ to: `${'a'.repeat(65)}@x.test` }).ok)
    const big = parseSendForm({ to: 'a@x.test', body: 'x'.repeat(mailLimits.bodyBytes + 1) })
    assert.ok(!big.ok && big.status === 413)
    const heavy = parseSendForm({ to: 'a@x.test' }, [
      {
        name: 'a.bin',
        contentType: 'application/octet-stream',
        bytes: new Uint8Array(mailLimits.attachmentsBytes + 1),
      },
    ])
    assert.ok(
      !heavy.ok &&
        heavy.status === 413 &&
        heavy.problems.some((problem) => problem.field === 'attachments'),
    )
  })

  test('attachment names and types are made safe', () => {
    assert.equal(safeFileName('../../etc/passwd'), 'passwd')
    assert.equal(safeFileName('C:\\Users\\me\\report.pdf'), 'report.pdf')
    assert.equal(safeFileName('a\r\nb<script>.txt'), 'a__b_script_.txt')
    assert.equal(safeFileName('...'), 'attachment')
    const result = ok({ to: 'a@x.test' }, [
      { name: 'x/y.txt', contentType: 'text/plain"; evil', bytes: new Uint8Array([1]) },
    ])
    assert.deepEqual(
      result.message.attachments.map(({ name, contentType }) => ({ name, contentType })),
      [{ name: 'y.txt', contentType: 'application/octet-stream' }],
    )
  })

  test('property: no CR, LF or control character ever reaches a recipient or the subject', () => {
    const anyText = fc.string({
      unit: fc.oneof(
        fc.constantFrom('\r', '\n', '\u2028', '\u0000', ',', ';', '@', '.', ' ', 'a', 'é'),
        fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
      ),
      maxLength: 60,
    })
    fc.assert(
      fc.property(anyText, anyText, anyText, anyText, (to, cc, bcc, subject) => {
        const result = parseSendForm({ to, cc, bcc, subject })
        if (!result.ok) return true
        // eslint-disable-next-line no-control-regex
        const control = /[\u0000-\u001f\u007f\u2028\u2029]/
        return (
          [...result.recipients, result.message.subject].every((value) => !control.test(value)) &&
          result.recipients.every(isValidAddress)
        )
      }),
      { numRuns: 2000 },
    )
  })

  test('property: valid addresses round-trip exactly, no extra recipient appears', () => {
    const address = fc.emailAddress().filter(isValidAddress)
    fc.assert(
      fc.property(
        fc.uniqueArray(address, {
          minLength: 1,
          maxLength: 10,
          selector: (value) => value.toLowerCase(),
        }),
        fc.constantFrom(',', ';', ' , ', ';\t'),
        (addresses, separator) => {
          const result = parseSendForm({ to: addresses.join(separator) })
          return result.ok && JSON.stringify(result.message.to) === JSON.stringify(addresses)
        },
      ),
    )
  })
})

describe('composeMessage and sendParsedMail', () => {
  const parsed = (attachments: ParsedMail['attachments']): ParsedMail => ({
    to: ['a@x.test'],
    cc: ['c@x.test'],
    bcc: [],
    subject: 'S',
    body: '<b>B</b>',
    bodyType: 'html',
    importance: 'low',
    saveToSentItems: true,
    attachments,
  })
  const file = (name: string, size: number) => ({
    name,
    contentType: 'application/octet-stream',
    bytes: new Uint8Array(size).fill(7),
  })

  test('builds the camelCase Graph message with small attachments inline as base64', () => {
    const { message, deferredAttachments } = composeMessage(parsed([file('a.bin', 3)]))
    assert.deepEqual(message, {
      subject: 'S',
      body: { contentType: 'html', content: '<b>B</b>' },
      importance: 'low',
      toRecipients: [{ emailAddress: { address: 'a@x.test' } }],
      ccRecipients: [{ emailAddress: { address: 'c@x.test' } }],
      bccRecipients: [],
      attachments: [
        {
          '@odata.type': '#microsoft.graph.fileAttachment',
          name: 'a.bin',
          contentType: 'application/octet-stream',
          contentBytes: 'BwcH',
        },
      ],
    })
    assert.equal(deferredAttachments.length, 0)
  })

  test('an attachment over 3 MB (or inline ones over 3 MB together) goes through the draft path', () => {
    const { message, deferredAttachments } = composeMessage(
      parsed([
        file('small.bin', 2_000_000),
        file('big.bin', 3_500_000),
        file('second.bin', 2_000_000),
      ]),
    )
    assert.deepEqual(
      message.attachments?.map((attachment) => attachment.name),
      ['small.bin'],
    )
    assert.deepEqual(
      deferredAttachments.map((attachment) => attachment.name),
      ['big.bin', 'second.bin'],
    )
  })

  function recordingGraph() {
    const calls: string[] = []
    const graph: MailGraph = {
      sendMail: async (_message, save) => {
        calls.push(`sendMail save=${save}`)
      },
      createDraft: async () => {
        calls.push('createDraft')
        return { id: 'd1' }
      },
      addAttachment: async (id, attachment) => {
        calls.push(`addAttachment ${id} ${attachment.name}`)
      },
      createUploadSession: async (id, item) => {
        calls.push(`createUploadSession ${id} ${item.name} ${item.size}`)
        return { uploadUrl: 'http://u' }
      },
      uploadRange: async (_url, bytes, start, total) => {
        calls.push(`uploadRange ${start}+${bytes.byteLength}/${total}`)
        return { done: start + bytes.byteLength === total, nextExpectedRanges: [] }
      },
      sendDraft: async (id) => {
        calls.push(`sendDraft ${id}`)
      },
      deleteMessage: async (id) => {
        calls.push(`deleteMessage ${id}`)
      },
    }
    return { graph, calls }
  }

  test('one sendMail when everything fits inline', async () => {
    const { graph, calls } = recordingGraph()
    assert.deepEqual(await sendParsedMail(graph, parsed([file('a', 10)])), {
      path: 'sendMail',
      recipients: ['a@x.test', 'c@x.test'],
    })
    assert.deepEqual(calls, ['sendMail save=true'])
  })

  test('draft + upload session in 4 MB ranges + attachment POST + send for large attachments', async () => {
    const { graph, calls } = recordingGraph()
    await sendParsedMail(
      graph,
      parsed([
        file('small.bin', 2_000_000),
        file('big.bin', 9_000_000),
        file('mid.bin', 2_000_000),
      ]),
    )
    assert.deepEqual(calls, [
      'createDraft',
      'createUploadSession d1 big.bin 9000000',
      'uploadRange 0+4194304/9000000',
      'uploadRange 4194304+4194304/9000000',
      'uploadRange 8388608+611392/9000000',
      'addAttachment d1 mid.bin',
      'sendDraft d1',
    ])
  })

  test('a failed upload deletes the draft and never sends', async () => {
    const { graph, calls } = recordingGraph()
    graph.uploadRange = async () => {
      throw new Error('upload failed')
    }
    await assert.rejects(
      sendParsedMail(graph, parsed([file('big.bin', 4_000_000)])),
      /upload failed/,
    )
    assert.deepEqual(calls, [
      'createDraft',
      'createUploadSession d1 big.bin 4000000',
      'deleteMessage d1',
    ])
  })
})

describe('allowsLargeAttachments', () => {
  test('needs Mail.ReadWrite in short or URL form; .default leaves it to the registration', () => {
    assert.equal(
      allowsLargeAttachments(['openid', 'profile', 'offline_access', 'User.Read', 'Mail.Send']),
      false,
    )
    assert.equal(allowsLargeAttachments(['openid', 'Mail.ReadWrite']), true)
    assert.equal(
      allowsLargeAttachments(['openid', 'https://graph.microsoft.com/mail.readwrite']),
      true,
    )
    assert.equal(allowsLargeAttachments(['openid', 'https://graph.microsoft.com/.default']), true)
    assert.equal(allowsLargeAttachments(['openid', 'Mail.ReadWrite.Shared', 'Mail.Read']), false)
  })

  test('parseSendForm refuses what needs a draft when large attachments are not allowed (413, attachments field)', () => {
    const file = (name: string, size: number) => ({
      name,
      contentType: 'application/octet-stream',
      bytes: new Uint8Array(size),
    })
    const refused = parseSendForm(
      { to: 'a@contoso.test' },
      [file('big.bin', 3 * 1024 * 1024 + 1)],
      { largeAttachments: false },
    )
    assert.equal(refused.ok, false)
    if (!refused.ok) {
      assert.equal(refused.status, 413)
      assert.deepEqual(refused.problems, [{ field: 'attachments', reason: 'needs-mail-readwrite' }])
    }
    assert.equal(
      parseSendForm({ to: 'a@contoso.test' }, [file('fits.bin', 3 * 1024 * 1024)], {
        largeAttachments: false,
      }).ok,
      true,
    )
    assert.equal(
      parseSendForm({ to: 'a@contoso.test' }, [file('big.bin', 3 * 1024 * 1024 + 1)]).ok,
      true,
    )
  })
})
