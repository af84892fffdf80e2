import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { GraphClient } from '../graph/graph-client.ts'
import { composeMessage } from './compose-message.ts'
import { mailLimits } from './mail-limits.ts'
import {
  allowsLargeAttachments,
  isValidAddress,
  parseSendForm,
  safeFileName,
  type ParsedMail,
} from './parse-send-form.ts'
import { sendParsedMail } from './send-parsed-mail.ts'
import { escapeHtml, welcomeMail } from './welcome-mail.ts'

const ok = (
  fields: Record<string, string>,
  files = [] as { name: string; contentType: string; bytes: Uint8Array }[],
) => {
  const result = parseSendForm(fields, files)
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors))
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
      'fr',
    )
    assert.equal(result.ok, false)
    assert.ok(!result.ok)
    assert.equal(result.status, 400)
    assert.deepEqual(Object.keys(result.errors).sort(), [
      'cc',
      'format',
      'importance',
      'subject',
      'to',
    ])
    assert.match(result.errors.to!, /« nope » n’est pas une adresse e-mail valide/)
    assert.deepEqual(
      result.problems.find((problem) => problem.field === 'to'),
      { field: 'to', reason: 'invalid-address', value: 'nope' },
    )
    const english = parseSendForm({ to: '' })
    assert.ok(!english.ok && english.errors.to === 'Enter at least one recipient.')
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
    assert.ok(!heavy.ok && heavy.status === 413 && heavy.errors.attachments)
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
    const graph: Pick<
      GraphClient,
      | 'sendMail'
      | 'createDraft'
      | 'addAttachment'
      | 'createUploadSession'
      | 'uploadRange'
      | 'sendDraft'
      | 'deleteMessage'
    > = {
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
      'en',
      { largeAttachments: false },
    )
    assert.equal(refused.ok, false)
    if (!refused.ok) {
      assert.equal(refused.status, 413)
      assert.deepEqual(
        refused.problems.map((problem) => problem.reason),
        ['needs-mail-readwrite'],
      )
      assert.match(
        refused.errors.attachments ?? '',
        /^Attachments over 3 MB need the Mail\.ReadWrite permission: add it to SCOPES and to the app registration, or attach smaller files/,
      )
    }
    assert.equal(
      parseSendForm({ to: 'a@contoso.test' }, [file('fits.bin', 3 * 1024 * 1024)], 'en', {
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

describe('welcomeMail', () => {
  test("has the sample's lines in English and French, with the name escaped", () => {
    const en = welcomeMail('Adele <script>alert(1)</script> & "Co"', 'en')
    assert.match(
      en.html,
      /^<p>Congratulations Adele &#60;script&#62;alert\(1\)&#60;\/script&#62; &#38; &#34;Co&#34;,<\/p>$/m,
    )
    assert.doesNotMatch(en.html, /<script>/)
    assert.match(
      en.html,
      /This is a message from the Microsoft Graph Connect sample\. You are well on your way to incorporating Microsoft 365 services in your apps\./,
    )
    for (const line of [
      '<h3>What’s next?</h3>',
      '<h3>Give us feedback</h3>',
      '<p>Thanks and happy coding!<br>',
    ])
      assert.ok(en.html.split('\n').includes(line), line)
    const fr = welcomeMail('Adèle', 'fr')
    assert.match(fr.html, /^<p>Félicitations Adèle,<\/p>$/m)
    assert.match(fr.html, /<h3>Et maintenant \?<\/h3>/)
    assert.match(fr.html, /<h3>Donnez-nous votre avis<\/h3>/)
    assert.notEqual(fr.subject, en.subject)
  })

  test('the HTML is short and readable: one block a line, no document wrapper, no inline CSS', () => {
    for (const lang of ['en', 'fr'] as const) {
      const { html } = welcomeMail('Adele Vance', lang)
      assert.doesNotMatch(html, /<html|<head|<body|<meta|style=/i)
      assert.ok(
        html.split('\n').every((line) => line.length <= 160),
        `${lang}: no long line`,
      )
      assert.equal(
        html.match(/<(p|h3|ul|li)>/g)?.length,
        html.split('\n').filter((line) => /^\s*<(p|h3|ul|li)>/.test(line)).length,
      )
    }
  })

  test('the plain text matches the HTML, with the name as typed and the links spelled out', () => {
    const en = welcomeMail('Adele <Vance>', 'en')
    assert.equal(en.text.split('\n')[0], 'Congratulations Adele <Vance>,')
    assert.doesNotMatch(en.text, /<(p|h3|ul|li|a|br)\b/)
    assert.match(en.text, /^What’s next\?$/m)
    assert.match(
      en.text,
      /^- Read the Microsoft Graph overview: https:\/\/learn\.microsoft\.com\/graph\/overview$/m,
    )
    assert.match(en.text, /^Give us feedback$/m)
    assert.match(en.text, /^Thanks and happy coding!$/m)
    const fr = welcomeMail('Adèle', 'fr')
    assert.match(fr.text, /^Félicitations Adèle,$/m)
    assert.match(fr.text, /^- Lire la présentation de Microsoft Graph\u00a0: https:/m)
    assert.match(fr.text, /^Merci et bon développement !$/m)
  })

  test('property: escapeHtml output never contains markup characters', () => {
    fc.assert(
      fc.property(
        fc.string(),
        (text) => !/[<>"']/.test(escapeHtml(text)) && !/&(?!#\d+;)/.test(escapeHtml(text)),
      ),
    )
    fc.assert(
      fc.property(
        fc.string(),
        (name) => !welcomeMail(name, 'en').html.includes(`Congratulations ${name}<`),
      ),
    )
  })
})
