/** Messages and mail folders: lists and paging, $select, drafts, updates, deletes, scopes. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Emulator } from '../app.ts'
import { call, graphFixture, seedMail } from '../../../test/kit/emulator-graph.ts'

describe('Graph messages and folders', () => {
  let emulator: Emulator
  let adele: string
  let lea: string
  before(async () => {
    ;({ emulator, token: adele } = await graphFixture())
    lea = await emulator.client.issueToken({ user: 'lea@contoso.test', scp: 'User.Read Mail.Read' })
    for (let index = 1; index <= 13; index++) {
      const response = await call(
        emulator,
        'POST',
        '/v1.0/me/sendMail',
        adele,
        seedMail(['lea@contoso.test'], `Message ${String(index).padStart(2, '0')}`),
      )
      assert.equal(response.statusCode, 202)
    }
  })
  after(() => emulator.close())

  it('pages /me/messages by 10 with @odata.nextLink, followed verbatim', async () => {
    const first = await call(emulator, 'GET', '/v1.0/me/messages', lea)
    assert.equal(first.statusCode, 200)
    const page = first.json()
    assert.equal(page.value.length, 10)
    assert.match(
      page['@odata.context'],
      /#users\('8a2e5c90-1f3b-4d7a-9c65-b0e4d2f81a26'\)\/messages$/,
    )
    assert.equal(page.value[0].subject, 'Message 13', 'newest first')
    const next = new URL(page['@odata.nextLink'])
    assert.equal(next.searchParams.get('$skip'), '10')
    const second = (await call(emulator, 'GET', next.pathname + next.search, lea)).json()
    assert.equal(second.value.length, 3)
    assert.equal(second['@odata.nextLink'], undefined)
  })

  it('honours $top, $skip, $orderby and $select on a well-known folder', async () => {
    const response = await call(
      emulator,
      'GET',
      '/v1.0/me/mailFolders/Inbox/messages?$top=5&$skip=2&$orderby=subject%20asc&$select=subject,from',
      lea,
    )
    const body = response.json()
    assert.deepEqual(
      body.value.map((message: { subject: string }) => message.subject),
      ['Message 03', 'Message 04', 'Message 05', 'Message 06', 'Message 07'],
    )
    assert.deepEqual(Object.keys(body.value[0]), ['@odata.etag', 'id', 'subject', 'from'])
    assert.match(body['@odata.context'], /mailFolders\('inbox'\)\/messages\(subject,from\)$/)
    const next = new URL(body['@odata.nextLink'])
    assert.equal(next.searchParams.get('$skip'), '7')
    assert.equal(next.searchParams.get('$orderby'), 'subject asc')
    const bad = await call(emulator, 'GET', '/v1.0/me/messages?$orderby=size desc', lea)
    assert.equal(bad.statusCode, 400)
    const badTop = await call(emulator, 'GET', '/v1.0/me/messages?$top=abc', lea)
    assert.equal(badTop.statusCode, 400)
    const badSelect = await call(emulator, 'GET', '/v1.0/me/messages?$select=colour', lea)
    assert.equal(
      badSelect.json().error.message,
      "Could not find a property named 'colour' on type 'Microsoft.OutlookServices.Message'.",
    )
  })

  it('lists mailFolders with counts and resolves folder ids', async () => {
    const folders = (await call(emulator, 'GET', '/v1.0/me/mailFolders', lea)).json().value
    const inbox = folders.find((folder: { displayName: string }) => folder.displayName === 'Inbox')
    assert.equal(inbox.totalItemCount, 13)
    assert.equal(inbox.unreadItemCount, 13)
    const byId = await call(
      emulator,
      'GET',
      `/v1.0/me/mailFolders/${inbox.id}/messages?$top=1`,
      lea,
    )
    assert.equal(byId.json().value.length, 1)
    const folder = await call(emulator, 'GET', '/v1.0/me/mailFolders/sentitems', adele)
    assert.equal(folder.json().totalItemCount, 13)
    assert.equal(
      (await call(emulator, 'GET', '/v1.0/me/mailFolders/nope/messages', lea)).statusCode,
      404,
    )
  })

  it('returns a full message resource by id', async () => {
    const [listed] = (await call(emulator, 'GET', '/v1.0/me/messages?$top=1', lea)).json().value
    const message = (await call(emulator, 'GET', `/v1.0/me/messages/${listed.id}`, lea)).json()
    for (const name of [
      'id',
      'createdDateTime',
      'lastModifiedDateTime',
      'changeKey',
      'receivedDateTime',
      'sentDateTime',
      'hasAttachments',
      'internetMessageId',
      'subject',
      'bodyPreview',
      'importance',
      'parentFolderId',
      'conversationId',
      'isRead',
      'isDraft',
      'webLink',
      'body',
      'sender',
      'from',
      'toRecipients',
      'ccRecipients',
      'bccRecipients',
      'replyTo',
      'flag',
    ]) {
      assert.ok(name in message, name)
    }
    assert.match(message['@odata.context'], /\/messages\/\$entity$/)
    assert.equal(message.isDraft, false)
    assert.equal(
      (await call(emulator, 'GET', '/v1.0/me/messages/AAMkmissing', lea)).json().error.code,
      'ErrorItemNotFound',
    )
  })

  it('requires Mail.Read for reads and Mail.ReadWrite for writes', async () => {
    const sendOnly = await emulator.client.issueToken({ scp: 'User.Read Mail.Send' })
    const read = await call(emulator, 'GET', '/v1.0/me/messages', sendOnly)
    assert.equal(read.statusCode, 403)
    assert.equal(read.json().error.code, 'ErrorAccessDenied')
    const draft = await call(emulator, 'POST', '/v1.0/me/messages', lea, { subject: 'x' })
    assert.equal(draft.statusCode, 403)
  })

  it('deletes: first to Deleted Items (a move: a new default id), then for good', async () => {
    const immutable = { prefer: 'IdType="ImmutableId"' }
    const [listed] = (
      await call(emulator, 'GET', '/v1.0/me/messages?$top=1', adele, undefined, immutable)
    ).json().value
    assert.equal(
      (await call(emulator, 'DELETE', `/v1.0/me/messages/${listed.id}`, adele)).statusCode,
      204,
    )
    const deleted = (
      await call(
        emulator,
        'GET',
        '/v1.0/me/mailFolders/deleteditems/messages',
        adele,
        undefined,
        immutable,
      )
    ).json().value
    assert.equal(deleted[0].id, listed.id, 'the immutable id survives the move')
    assert.equal(
      (await call(emulator, 'DELETE', `/v1.0/me/messages/${listed.id}`, adele)).statusCode,
      204,
    )
    assert.equal(
      (await call(emulator, 'GET', `/v1.0/me/messages/${listed.id}`, adele)).statusCode,
      404,
    )
  })

  it('creates, updates and sends a draft', async () => {
    const created = await call(emulator, 'POST', '/v1.0/me/messages', adele, {
      Subject: 'Draft',
      Body: { ContentType: 'Text', Content: 'First' },
    })
    assert.equal(created.statusCode, 201)
    const draft = created.json()
    assert.equal(draft.isDraft, true)
    assert.equal(draft.from, null)
    const patched = await call(emulator, 'PATCH', `/v1.0/me/messages/${draft.id}`, adele, {
      subject: 'Final',
      toRecipients: [{ emailAddress: { address: 'megan@contoso.test' } }],
    })
    assert.equal(patched.statusCode, 200)
    assert.equal(patched.json().subject, 'Final')
    assert.equal(patched.json().body.content, 'First')
    const drafts = (
      await call(emulator, 'GET', '/v1.0/me/mailFolders/drafts/messages', adele)
    ).json().value
    assert.equal(drafts.length, 1)
    const sent = await call(emulator, 'POST', `/v1.0/me/messages/${draft.id}/send`, adele)
    assert.equal(sent.statusCode, 202)
    assert.equal(sent.body, '')
    assert.equal(
      (await call(emulator, 'GET', '/v1.0/me/mailFolders/drafts/messages', adele)).json().value
        .length,
      0,
    )
    const megan = await emulator.client.issueToken({ user: 'megan@contoso.test', scp: 'Mail.Read' })
    const [received] = (
      await call(emulator, 'GET', '/v1.0/me/mailFolders/inbox/messages', megan)
    ).json().value
    assert.equal(received.subject, 'Final')
    const again = await call(emulator, 'POST', `/v1.0/me/messages/${draft.id}/send`, adele)
    assert.equal(again.statusCode, 404, 'the draft id no longer resolves once sent')
    assert.equal(again.json().error.code, 'ErrorItemNotFound')
    const [sentCopy] = (
      await call(emulator, 'GET', '/v1.0/me/mailFolders/sentitems/messages?$top=1', adele)
    ).json().value
    assert.notEqual(sentCopy.id, draft.id)
    const resend = await call(emulator, 'POST', `/v1.0/me/messages/${sentCopy.id}/send`, adele)
    assert.equal(resend.statusCode, 400)
    const locked = await call(emulator, 'PATCH', `/v1.0/me/messages/${sentCopy.id}`, adele, {
      subject: 'Changed',
    })
    assert.equal(locked.json().error.code, 'ErrorInvalidPropertyUpdateSentMessage')
    const read = await call(
      emulator,
      'PATCH',
      `/v1.0/me/messages/${received.id}`,
      await emulator.client.issueToken({ user: 'megan@contoso.test', scp: 'Mail.ReadWrite' }),
      { isRead: true },
    )
    assert.equal(read.json().isRead, true)
  })

  it('refuses to send a draft without recipients', async () => {
    const draft = (
      await call(emulator, 'POST', '/v1.0/me/messages', adele, { subject: 'Nobody' })
    ).json()
    const response = await call(emulator, 'POST', `/v1.0/me/messages/${draft.id}/send`, adele)
    assert.equal(response.json().error.code, 'ErrorInvalidRecipients')
  })
})
