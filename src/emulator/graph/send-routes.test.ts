/** POST /me/sendMail and /messages/{id}/send: delivery, copies, NDRs, MIME, errors in Graph's words. */
import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import type { Emulator } from '../app.ts'
import type { MessageRecord } from './message-model.ts'
import { call, graphFixture, seedMail } from '../../../test/kit/emulator-graph.ts'

describe('POST /me/sendMail', () => {
  let emulator: Emulator
  let token: string
  before(async () => ({ emulator, token } = await graphFixture()))
  beforeEach(() => emulator.client.reset())
  after(() => emulator.close())

  it("accepts the seed's PascalCase body on the microsoft.graph.sendMail alias: 202, empty body, no JSON type", async () => {
    const response = await call(
      emulator,
      'POST',
      '/v1.0/me/microsoft.graph.sendMail',
      token,
      seedMail(['lea@contoso.test']),
    )
    assert.equal(response.statusCode, 202)
    assert.equal(response.body, '')
    assert.equal(response.headers['content-type'], undefined)
    const [received] = await emulator.client.messages('lea@contoso.test', { folder: 'inbox' })
    assert.equal(received!.subject, seedMail([]).Message.Subject)
    assert.deepEqual(received!.body, {
      contentType: 'html',
      content: seedMail([]).Message.Body.Content,
    })
    assert.deepEqual(received!.from, {
      emailAddress: { name: 'Adele Vance', address: 'adele@contoso.test' },
    })
    assert.equal(received!.isRead, false)
    assert.equal(
      received!.bodyPreview,
      'Congratulations! This is a message from the Connect sample.',
    )
    const [sent] = await emulator.client.messages('adele@contoso.test', { folder: 'sentitems' })
    assert.equal(sent!.internetMessageId, received!.internetMessageId)
  })

  it('every copy of a send is the Sent Items record but for its own id, change key, mailbox, folder, read state and Bcc', async () => {
    const response = await call(emulator, 'POST', '/v1.0/me/sendMail', token, {
      message: {
        subject: 'Copies',
        body: { contentType: 'HTML', content: '<p>Same <b>everywhere</b></p>' },
        toRecipients: [
          { emailAddress: { address: 'lea@contoso.test' } },
          { emailAddress: { address: 'bob@example.org' } },
        ],
        bccRecipients: [{ emailAddress: { address: 'megan@contoso.test' } }],
      },
    })
    assert.equal(response.statusCode, 202)
    const store = emulator.context.mail
    const mailboxes = store.mailboxes()
    const records = mailboxes.flatMap((owner) =>
      store.list(owner, undefined, { field: 'receivedDateTime', descending: false }, 50, 0),
    )
    const sent = records.find((record) => record.folder === 'sentitems')!
    assert.equal(records.length, 4) // Sent Items, Léa's and Megan's Inbox, the External outbox
    const ids = new Set(records.map((record) => record.id))
    const changeKeys = new Set(records.map((record) => record.changeKey))
    assert.equal(ids.size, 4)
    assert.equal(changeKeys.size, 4)
    assert.equal(new Set(records.map((record) => record.immutableId)).size, 4)
    assert.match(sent.internetMessageId, /^<[A-Z0-9]+@[A-Z0-9]+\.namprd\d\d\.prod\.outlook\.com>$/)
    const shared = ({
      id: _id,
      immutableId: _immutableId,
      changeKey: _changeKey,
      mailbox: _mailbox,
      folder: _folder,
      isRead: _isRead,
      bccRecipients: _bcc,
      ...rest
    }: MessageRecord) => rest
    for (const record of records) {
      assert.deepEqual(shared(record), shared(sent), `${record.mailbox}/${record.folder}`)
      assert.equal(record.isRead, record === sent)
      assert.deepEqual(record.bccRecipients, record.folder === 'inbox' ? [] : sent.bccRecipients)
    }
    assert.deepEqual(
      sent.bccRecipients.map((recipient) => recipient.emailAddress.address),
      ['megan@contoso.test'],
    )
  })

  it("delivers to, cc and bcc; hides Bcc in recipients' copies; sends outside addresses to the External outbox", async () => {
    const response = await call(emulator, 'POST', '/v1.0/me/sendMail', token, {
      message: {
        subject: 'Team',
        body: { contentType: 'Text', content: 'Hello' },
        importance: 'High',
        toRecipients: [{ emailAddress: { address: 'LEA@contoso.test' } }],
        ccRecipients: [{ emailAddress: { address: 'megan@contoso.test', name: 'Megan' } }],
        bccRecipients: [
          { emailAddress: { address: 'diego@contoso.test' } },
          { emailAddress: { address: 'bob@example.org' } },
        ],
        internetMessageHeaders: [{ name: 'x-trace', value: '42' }],
      },
      saveToSentItems: false,
    })
    assert.equal(response.statusCode, 202)
    for (const upn of ['lea@contoso.test', 'megan@contoso.test', 'diego@contoso.test']) {
      const [copy] = await emulator.client.messages(upn, { folder: 'inbox' })
      assert.equal(copy!.subject, 'Team', upn)
      assert.equal(copy!.importance, 'high')
      assert.deepEqual(copy!.bccRecipients, [], upn)
      assert.deepEqual(copy!.internetMessageHeaders, [{ name: 'x-trace', value: '42' }])
    }
    assert.deepEqual(
      await emulator.client.messages('adele@contoso.test', { folder: 'sentitems' }),
      [],
      'saveToSentItems false',
    )
    const external = await emulator.client.messages('bob@example.org')
    assert.equal(external.length, 1)
    assert.equal(external[0]!.folder, 'outbox')
    assert.deepEqual(await emulator.client.messages('carol@example.org'), [])
  })

  it('sends an NDR for an unknown address of the tenant domain', async () => {
    await call(
      emulator,
      'POST',
      '/v1.0/me/sendMail',
      token,
      seedMail(['ghost@contoso.test'], 'Hello ghost'),
    )
    const [ndr] = await emulator.client.messages('adele@contoso.test', { folder: 'inbox' })
    assert.equal(ndr!.subject, 'Undeliverable: Hello ghost')
  })

  it('takes file attachments inline', async () => {
    const body = seedMail(['lea@contoso.test']) as { Message: Record<string, unknown> }
    body.Message.Attachments = [
      {
        '@odata.type': '#microsoft.graph.fileAttachment',
        Name: 'hello.txt',
        ContentType: 'text/plain',
        ContentBytes: Buffer.from('Hello World!').toString('base64'),
      },
    ]
    assert.equal((await call(emulator, 'POST', '/v1.0/me/sendMail', token, body)).statusCode, 202)
    const [received] = await emulator.client.messages('lea@contoso.test', { folder: 'inbox' })
    assert.equal(received!.hasAttachments, true)
    const [attachment] = received!.attachments as {
      name: string
      contentBytes: string
      size: number
    }[]
    assert.equal(attachment!.name, 'hello.txt')
    assert.equal(Buffer.from(attachment!.contentBytes, 'base64').toString(), 'Hello World!')
  })

  it('accepts base64 MIME as text/plain', async () => {
    const mime =
      'From: adele@contoso.test\r\nTo: Lea <lea@contoso.test>\r\nSubject: Via MIME\r\nContent-Type: text/plain\r\n\r\nHi Léa\r\n'
    const response = await call(emulator, 'POST', '/v1.0/me/sendMail', token, undefined, {
      'content-type': 'text/plain',
    })
    assert.equal(response.statusCode, 400)
    const ok = await emulator.fastify.inject({
      method: 'POST',
      url: '/v1.0/me/sendMail',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
      payload: Buffer.from(mime).toString('base64'),
    })
    assert.equal(ok.statusCode, 202)
    assert.equal(
      (await emulator.client.messages('lea@contoso.test', { folder: 'inbox' }))[0]!.subject,
      'Via MIME',
    )
    const bad = await emulator.fastify.inject({
      method: 'POST',
      url: '/v1.0/me/sendMail',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
      payload: 'not base64 !',
    })
    assert.equal(bad.json().error.code, 'ErrorMimeContentInvalidBase64String')
  })

  const expectError = async (
    status: number,
    code: string,
    message: string | RegExp | undefined,
    body: unknown,
    headers: Record<string, string> = {},
    bearer = token,
  ) => {
    const response = await call(emulator, 'POST', '/v1.0/me/sendMail', bearer, body, headers)
    assert.equal(response.statusCode, status, response.body)
    assert.match(String(response.headers['content-type']), /^application\/json/)
    const { error } = response.json()
    assert.equal(error.code, code)
    if (typeof message === 'string') assert.equal(error.message, message)
    else if (message) assert.match(error.message, message)
    assert.ok(error.innerError['request-id'])
  }

  it('refuses a message without recipients', () =>
    expectError(
      400,
      'ErrorInvalidRecipients',
      "At least one recipient isn't valid., A message can't be sent because it contains no recipients.",
      { message: { subject: 'x' } },
    ))
  it('refuses an unresolvable recipient', () =>
    expectError(
      400,
      'ErrorInvalidRecipients',
      'At least one recipient isn\'t valid., Recipient "bad" isn\'t resolved. All recipients must be resolved before a message can be submitted.',
      seedMail(['bad']),
    ))
  it('refuses malformed JSON', () =>
    expectError(400, 'BadRequest', /Unable to read JSON request payload/, '{"message": {'))
  it('refuses a number where a string is expected', () =>
    expectError(
      400,
      'RequestBodyRead',
      "Cannot convert the literal '0' to the expected type 'Edm.String'.",
      { message: { subject: 0 } },
    ))
  it('refuses an unknown property', () =>
    expectError(
      400,
      'RequestBodyRead',
      /^The property 'colour' does not exist on type 'microsoft.graph.message'/,
      { message: { colour: 'red' } },
    ))
  it('refuses a bad enum value', () =>
    expectError(400, 'RequestBodyRead', "Requested value 'urgent' was not found.", {
      message: { importance: 'urgent' },
    }))
  it('refuses an unsupported content type with 415', () =>
    expectError(415, 'RequestBodyRead', /^A supported MIME type could not be found/, undefined, {
      'content-type': 'application/xml',
    }))
  it('refuses a body over 4 MB with 413', () =>
    expectError(
      413,
      'BadRequest',
      'The maximum request length supported is 4MB.',
      JSON.stringify({ message: { subject: 'x'.repeat(4 * 1024 * 1024 + 10) } }),
    ))
  it('refuses a missing message', () =>
    expectError(400, 'ErrorInvalidParameter', undefined, { saveToSentItems: true }))
  it('refuses a non-boolean saveToSentItems', () =>
    expectError(400, 'RequestBodyRead', /Edm.Boolean/, {
      ...seedMail(['lea@contoso.test']),
      SaveToSentItems: 'maybe',
    }))
  it('answers 403 ErrorAccessDenied without Mail.Send', async () =>
    expectError(
      403,
      'ErrorAccessDenied',
      'Access is denied. Check credentials and try again.',
      seedMail(['lea@contoso.test']),
      {},
      await emulator.client.issueToken({ scp: 'User.Read' }),
    ))
  it('answers 403 NoPermissionsInAccessToken to an app token without roles', async () => {
    const response = await call(
      emulator,
      'POST',
      '/v1.0/users/adele@contoso.test/sendMail',
      await emulator.client.issueToken({ roles: [] }),
      seedMail(['lea@contoso.test']),
    )
    assert.equal(response.statusCode, 403)
    assert.equal(response.json().error.code, 'NoPermissionsInAccessToken')
  })

  it('lets an app token with the Mail.Send role send as any user via /users/{id}/sendMail', async () => {
    const app = await emulator.client.issueToken({ roles: ['Mail.Send'] })
    const response = await call(
      emulator,
      'POST',
      '/v1.0/users/megan@contoso.test/sendMail',
      app,
      seedMail(['lea@contoso.test']),
    )
    assert.equal(response.statusCode, 202)
    const [received] = await emulator.client.messages('lea@contoso.test', { folder: 'inbox' })
    assert.equal(
      (received!.from as { emailAddress: { address: string } }).emailAddress.address,
      'megan@contoso.test',
    )
    const me = await call(
      emulator,
      'POST',
      '/v1.0/me/sendMail',
      app,
      seedMail(['lea@contoso.test']),
    )
    assert.equal(me.statusCode, 400)
  })

  it("refuses a delegated token sending from another user's mailbox", async () => {
    const response = await call(
      emulator,
      'POST',
      '/v1.0/users/megan@contoso.test/sendMail',
      token,
      seedMail(['lea@contoso.test']),
    )
    assert.equal(response.statusCode, 403)
  })
})
