/** A sent message's identity: one Message-ID for every copy, immutable ids across moves and a draft's send, MIME. */
import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import type { Emulator } from '../app.ts'
import { call, graphFixture } from '../../../test/kit/emulator-graph.ts'

const IMMUTABLE = { prefer: 'IdType="ImmutableId"' }
const MESSAGE_ID = /^<[A-Z0-9]+@[A-Z0-9]+\.namprd\d\d\.prod\.outlook\.com>$/

describe('Graph message identity', () => {
  let emulator: Emulator
  let adele: string
  let lea: string
  before(async () => {
    ;({ emulator } = await graphFixture())
    adele = await emulator.client.issueToken({ scp: 'Mail.ReadWrite Mail.Send' })
    lea = await emulator.client.issueToken({ user: 'lea@contoso.test', scp: 'Mail.Read' })
  })
  beforeEach(() => emulator.client.reset())
  after(() => emulator.close())

  const send = (subject: string) =>
    call(emulator, 'POST', '/v1.0/me/sendMail', adele, {
      message: { subject, toRecipients: [{ emailAddress: { address: 'lea@contoso.test' } }] },
    })

  it('gives every delivered copy the same unique internetMessageId, found by $filter in Sent Items', async () => {
    assert.equal((await send('First')).statusCode, 202)
    assert.equal((await send('Second')).statusCode, 202)
    const sent = (
      await call(emulator, 'GET', '/v1.0/me/mailFolders/sentitems/messages', adele)
    ).json().value
    const inbox = (await call(emulator, 'GET', '/v1.0/me/mailFolders/inbox/messages', lea)).json()
      .value
    assert.equal(sent.length, 2)
    for (const message of sent) assert.match(message.internetMessageId, MESSAGE_ID)
    assert.notEqual(sent[0].internetMessageId, sent[1].internetMessageId)
    const bySubject = (
      list: { subject: string; internetMessageId: string; id: string }[],
      subject: string,
    ) =>
      list.find((message) => message.subject === subject) as {
        internetMessageId: string
        id: string
      }
    const first = bySubject(sent, 'First')
    assert.equal(bySubject(inbox, 'First').internetMessageId, first.internetMessageId)
    const filter = encodeURIComponent(`internetMessageId eq '${first.internetMessageId}'`)
    const found = await call(
      emulator,
      'GET',
      `/v1.0/me/mailFolders/sentitems/messages?$filter=${filter}`,
      adele,
    )
    assert.equal(found.statusCode, 200)
    assert.deepEqual(
      found.json().value.map((message: { id: string }) => message.id),
      [first.id],
    )
  })

  it('writes the Message-ID into the MIME of GET …/$value', async () => {
    await send('Zoë’s MIME')
    const [message] = (await call(emulator, 'GET', '/v1.0/me/messages', lea)).json().value
    const mime = await call(emulator, 'GET', `/v1.0/me/messages/${message.id}/$value`, lea)
    assert.equal(mime.statusCode, 200)
    assert.match(String(mime.headers['content-type']), /^text\/plain/)
    const head = mime.body.slice(0, mime.body.indexOf('\r\n\r\n'))
    const unfolded = head.replace(/\r\n[ \t]+/g, ' ')
    assert.ok(unfolded.includes(`\r\nMessage-ID: ${message.internetMessageId}\r\n`), head)
    assert.match(unfolded, /\r\nMIME-Version: 1\.0(\r\n|$)/)
  })

  it('keeps a draft’s immutable id and Message-ID through its send; its default id stops resolving', async () => {
    const created = await call(
      emulator,
      'POST',
      '/v1.0/me/messages',
      adele,
      {
        subject: 'Draft to send',
        toRecipients: [{ emailAddress: { address: 'lea@contoso.test' } }],
      },
      IMMUTABLE,
    )
    assert.equal(created.statusCode, 201)
    assert.equal(created.headers['preference-applied'], 'IdType="ImmutableId"')
    const immutableId = created.json().id as string
    assert.match(immutableId, /^AAkALg/)
    assert.match(created.json().internetMessageId, MESSAGE_ID)
    const byDefault = (
      await call(emulator, 'GET', `/v1.0/me/messages/${immutableId}`, adele)
    ).json()
    assert.match(byDefault.id, /^AAMk/, 'without the preference, the default id')
    assert.equal(byDefault.isDraft, true)
    const sent = await call(emulator, 'POST', `/v1.0/me/messages/${immutableId}/send`, adele)
    assert.equal(sent.statusCode, 202)
    const gone = await call(emulator, 'GET', `/v1.0/me/messages/${byDefault.id}`, adele)
    assert.equal(gone.statusCode, 404)
    assert.equal(gone.json().error.code, 'ErrorItemNotFound')
    const copy = await call(
      emulator,
      'GET',
      `/v1.0/me/messages/${immutableId}`,
      adele,
      undefined,
      IMMUTABLE,
    )
    assert.equal(copy.statusCode, 200)
    assert.equal(copy.json().id, immutableId)
    assert.equal(copy.json().isDraft, false)
    assert.equal(copy.json().internetMessageId, created.json().internetMessageId)
    const folder = (await call(emulator, 'GET', '/v1.0/me/mailFolders/sentitems', adele)).json()
    assert.equal(copy.json().parentFolderId, folder.id)
    const [received] = (await call(emulator, 'GET', '/v1.0/me/messages', lea)).json().value
    assert.equal(received.internetMessageId, created.json().internetMessageId)
  })

  it('moves: a new default id (the old one 404s), the same immutable id, accepted as input', async () => {
    await send('To move')
    const reader = await emulator.client.issueToken({
      user: 'lea@contoso.test',
      scp: 'Mail.ReadWrite',
    })
    const [listed] = (
      await call(emulator, 'GET', '/v1.0/me/messages', reader, undefined, IMMUTABLE)
    ).json().value
    const [plain] = (await call(emulator, 'GET', '/v1.0/me/messages', reader)).json().value
    assert.notEqual(listed.id, plain.id)
    const moved = await call(emulator, 'POST', `/v1.0/me/messages/${plain.id}/move`, reader, {
      destinationId: 'archive',
    })
    assert.equal(moved.statusCode, 201)
    assert.notEqual(moved.json().id, plain.id)
    assert.equal(
      (await call(emulator, 'GET', `/v1.0/me/messages/${plain.id}`, reader)).statusCode,
      404,
    )
    const patched = await call(
      emulator,
      'PATCH',
      `/v1.0/me/messages/${listed.id}`,
      reader,
      { isRead: true },
      IMMUTABLE,
    )
    assert.equal(patched.statusCode, 200)
    assert.equal(patched.json().id, listed.id)
    assert.equal(patched.json().isRead, true)
    const archived = (
      await call(
        emulator,
        'GET',
        '/v1.0/me/mailFolders/archive/messages',
        reader,
        undefined,
        IMMUTABLE,
      )
    ).json().value
    assert.deepEqual(
      archived.map((message: { id: string }) => message.id),
      [listed.id],
    )
    const copied = await call(
      emulator,
      'POST',
      `/v1.0/me/messages/${listed.id}/copy`,
      reader,
      {
        DestinationId: 'inbox',
      },
      IMMUTABLE,
    )
    assert.equal(copied.statusCode, 201)
    assert.notEqual(copied.json().id, listed.id, 'a copy is a new item')
    const nowhere = await call(emulator, 'POST', `/v1.0/me/messages/${listed.id}/move`, reader, {})
    assert.equal(nowhere.json().error.code, 'ErrorInvalidParameter')
  })
})
