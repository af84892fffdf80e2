/**
 * The MIME export (GET …/messages/{id}/$value, the viewer's Source): read back by a small independent parser —
 * headers decoded, the multipart tree, quoted-printable bodies and base64 attachments equal to what was sent.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Emulator } from '../app.ts'
import { call, testEmulator } from '../../../test/kit/emulator-graph.ts'

interface Part {
  headers: Map<string, string>
  body: string
  parts: Part[]
}

/** RFC 5322 + MIME, as a mail client reads them: unfolded headers, multipart bodies split at their boundaries. */
function parse(text: string): Part {
  const split = text.indexOf('\r\n\r\n')
  const head = text.slice(0, split).replace(/\r\n[ \t]+/g, ' ')
  const headers = new Map<string, string>()
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':')
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim())
  }
  const body = text.slice(split + 4)
  const boundary = /boundary="([^"]+)"/.exec(headers.get('content-type') ?? '')?.[1]
  if (!boundary) return { headers, body, parts: [] }
  const [, ...chunks] = body.split(`--${boundary}`)
  assert.match(chunks.at(-1)!, /^--\r?\n?$/, 'the last boundary closes the multipart')
  const parts = chunks
    .slice(0, -1)
    .map((chunk) => parse(chunk.replace(/^\r\n/, '').replace(/\r\n$/, '')))
  return { headers, body, parts }
}

const decodeWords = (value: string) =>
  value
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?UTF-8\?B\?([^?]*)\?=/gi, (_, base64: string) =>
      Buffer.from(base64, 'base64').toString(),
    )
const decodeQuotedPrintable = (text: string) =>
  Buffer.from(
    text
      .replace(/=\r\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1',
  ).toString('utf8')
const type = (part: Part) => part.headers.get('content-type')!.split(';')[0]

describe('MIME export ($value)', () => {
  let emulator: Emulator
  let reader: string
  const pixel = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
    'base64',
  )
  const report = Buffer.from(Array.from({ length: 300 }, (_, index) => index % 256))
  const html = `<p>Bonjour Léa,</p><p>${'Les chiffres du troisième trimestre sont arrivés. '.repeat(4)}</p><img src="cid:logo@contoso">`
  before(async () => {
    emulator = await testEmulator()
    reader = await emulator.client.issueToken({ user: 'lea@contoso.test', scp: 'Mail.Read' })
    const sent = await call(
      emulator,
      'POST',
      '/v1.0/me/sendMail',
      await emulator.client.issueToken(),
      {
        message: {
          subject: 'Résultats T3 — à relire\r\nBcc: evil@example.org',
          importance: 'high',
          body: { contentType: 'HTML', content: html },
          toRecipients: [{ emailAddress: { address: 'lea@contoso.test', name: 'Léa Martin' } }],
          ccRecipients: [
            { emailAddress: { address: 'partner@example.org', name: 'Partner, "Ext"' } },
          ],
          attachments: [
            {
              '@odata.type': '#microsoft.graph.fileAttachment',
              name: 'logo.png',
              contentType: 'image/png',
              isInline: true,
              contentId: 'logo@contoso',
              contentBytes: pixel.toString('base64'),
            },
            {
              '@odata.type': '#microsoft.graph.fileAttachment',
              name: 'rapport été.bin',
              contentBytes: report.toString('base64'),
            },
          ],
        },
      },
    )
    assert.equal(sent.statusCode, 202)
  })
  after(() => emulator.close())

  const received = async () =>
    (await emulator.client.messages('lea@contoso.test', { folder: 'inbox' }))[0]!

  it('answers GET /messages/{id}/$value with the MIME document as text/plain, to Mail.Read only', async () => {
    const message = await received()
    const answer = await call(emulator, 'GET', `/v1.0/me/messages/${message.id}/$value`, reader)
    assert.equal(answer.statusCode, 200)
    assert.match(String(answer.headers['content-type']), /^text\/plain/)
    assert.match(answer.body, /^From: /)
    const viewer = await emulator.fastify.inject(`/inbox/raw/${message.id}`)
    assert.equal(viewer.body, answer.body, "the viewer's source is Graph's $value")
    const sender = await emulator.client.issueToken({ user: 'lea@contoso.test', scp: 'Mail.Send' })
    const refused = await call(emulator, 'GET', `/v1.0/me/messages/${message.id}/$value`, sender)
    assert.equal(refused.statusCode, 403)
  })

  it('writes the headers Exchange writes, encoded where they are not ASCII, and no injected one', async () => {
    const message = await received()
    const mime = (await call(emulator, 'GET', `/v1.0/me/messages/${message.id}/$value`, reader))
      .body
    const top = parse(mime)
    assert.equal(decodeWords(top.headers.get('from')!), 'Adele Vance <adele@contoso.test>')
    assert.equal(decodeWords(top.headers.get('to')!), 'Léa Martin <lea@contoso.test>')
    assert.equal(top.headers.get('cc'), '"Partner, \\"Ext\\"" <partner@example.org>')
    assert.equal(
      decodeWords(top.headers.get('subject')!),
      'Résultats T3 — à relire Bcc: evil@example.org',
    )
    assert.equal(top.headers.get('bcc'), undefined, 'a line break in the subject adds no header')
    assert.equal(top.headers.get('message-id'), message.internetMessageId)
    assert.equal(top.headers.get('importance'), 'high')
    assert.equal(top.headers.get('mime-version'), '1.0')
    const date = top.headers.get('date')!
    assert.match(
      date,
      /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d \+0000$/,
    )
    assert.equal(
      new Date(date).toISOString().slice(0, 19),
      String(message.sentDateTime).slice(0, 19),
    )
    assert.ok(!/(?<!\r)\n/.test(mime), 'every line ends with CRLF')
    const headLines = mime.slice(0, mime.indexOf('\r\n\r\n')).split('\r\n')
    assert.deepEqual(
      headLines.filter((line) => line.length > 78),
      [],
      'header lines are folded',
    )
    assert.ok(mime.split('\r\n').every((line) => line.length <= 998))
  })

  it('nests text and HTML (alternative) with the inline image (related), then the attachment (mixed)', async () => {
    const message = await received()
    const top = parse(
      (await call(emulator, 'GET', `/v1.0/me/messages/${message.id}/$value`, reader)).body,
    )
    assert.equal(type(top), 'multipart/mixed')
    const [related, file] = top.parts
    assert.equal(type(related!), 'multipart/related')
    const [alternative, image] = related!.parts
    assert.deepEqual(alternative!.parts.map(type), ['text/plain', 'text/html'])
    const [plain, rich] = alternative!.parts
    assert.equal(rich!.headers.get('content-transfer-encoding'), 'quoted-printable')
    assert.equal(decodeQuotedPrintable(rich!.body), html)
    assert.ok(
      rich!.body.split('\r\n').every((line) => line.length <= 76),
      'soft line breaks',
    )
    assert.match(
      decodeQuotedPrintable(plain!.body),
      /^Bonjour Léa,\r\n\r\nLes chiffres du troisième/,
    )
    assert.equal(image!.headers.get('content-id'), '<logo@contoso>')
    assert.match(
      image!.headers.get('content-disposition')!,
      /^inline; filename="logo.png"; size=\d+;/,
    )
    assert.deepEqual(Buffer.from(image!.body, 'base64'), pixel)
    assert.match(
      file!.headers.get('content-disposition')!,
      /^attachment; filename\*=UTF-8''rapport%20%C3%A9t%C3%A9\.bin; size=300;/,
    )
    assert.equal(file!.headers.get('content-transfer-encoding'), 'base64')
    assert.ok(file!.body.split('\r\n').every((line) => line.length <= 76))
    assert.deepEqual(Buffer.from(file!.body, 'base64'), report)
  })

  it('gives a text message a single text/plain body', async () => {
    const token = await emulator.client.issueToken()
    await call(emulator, 'POST', '/v1.0/me/sendMail', token, {
      message: {
        subject: 'Plain',
        body: { contentType: 'Text', content: 'Line one\nLine two = ok' },
        toRecipients: [{ emailAddress: { address: 'megan@contoso.test' } }],
      },
    })
    const [message] = await emulator.client.messages('megan@contoso.test', { folder: 'inbox' })
    const megan = await emulator.client.issueToken({ user: 'megan@contoso.test', scp: 'Mail.Read' })
    const top = parse(
      (await call(emulator, 'GET', `/v1.0/me/messages/${message!.id}/$value`, megan)).body,
    )
    assert.equal(top.headers.get('content-type'), 'text/plain; charset="utf-8"')
    assert.equal(top.headers.get('importance'), undefined, 'normal importance is not written')
    assert.equal(top.headers.get('x-ms-has-attach'), '')
    assert.equal(decodeQuotedPrintable(top.body.replace(/\r\n$/, '')), 'Line one\r\nLine two = ok')
  })
})
