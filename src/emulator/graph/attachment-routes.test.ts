/** File attachments and upload sessions: inline up to 3 MB, ranges in order, the upload URL's own token. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Emulator } from '../app.ts'
import { call, graphFixture } from '../../../test/kit/emulator-graph.ts'

describe('Graph attachments and upload sessions', () => {
  let emulator: Emulator
  let token: string
  let draftId: string
  before(async () => {
    ;({ emulator, token } = await graphFixture())
    draftId = (
      await call(emulator, 'POST', '/v1.0/me/messages', token, {
        subject: 'With files',
        toRecipients: [{ emailAddress: { address: 'lea@contoso.test' } }],
      })
    ).json().id
  })
  after(() => emulator.close())

  it('adds a file attachment (201), lists it, reads it and its $value', async () => {
    const created = await call(
      emulator,
      'POST',
      `/v1.0/me/messages/${draftId}/attachments`,
      token,
      {
        '@odata.type': '#microsoft.graph.fileAttachment',
        name: 'notes.txt',
        contentType: 'text/plain',
        contentBytes: Buffer.from('some notes').toString('base64'),
      },
    )
    assert.equal(created.statusCode, 201)
    const attachment = created.json()
    assert.equal(attachment.size, 10)
    assert.equal(attachment['@odata.type'], '#microsoft.graph.fileAttachment')
    const list = (
      await call(emulator, 'GET', `/v1.0/me/messages/${draftId}/attachments`, token)
    ).json()
    assert.equal(list.value.length, 1)
    const one = (
      await call(
        emulator,
        'GET',
        `/v1.0/me/messages/${draftId}/attachments/${attachment.id}`,
        token,
      )
    ).json()
    assert.equal(one.name, 'notes.txt')
    const raw = await call(
      emulator,
      'GET',
      `/v1.0/me/messages/${draftId}/attachments/${attachment.id}/$value`,
      token,
    )
    assert.equal(raw.body, 'some notes')
    assert.equal(
      (await call(emulator, 'GET', `/v1.0/me/messages/${draftId}`, token)).json().hasAttachments,
      true,
    )
  })

  it('refuses an inline attachment over 3 MB and non-file attachments', async () => {
    const big = await call(emulator, 'POST', `/v1.0/me/messages/${draftId}/attachments`, token, {
      '@odata.type': '#microsoft.graph.fileAttachment',
      name: 'big.bin',
      contentBytes: Buffer.alloc(3 * 1024 * 1024 + 1).toString('base64'),
    })
    assert.ok([413].includes(big.statusCode), big.body.slice(0, 200))
    const item = await call(emulator, 'POST', `/v1.0/me/messages/${draftId}/attachments`, token, {
      '@odata.type': '#microsoft.graph.itemAttachment',
      name: 'x',
    })
    assert.equal(item.statusCode, 400)
  })

  it('uploads a large attachment in ranges, then sends the draft with it', async () => {
    const size = 3 * 1024 * 1024 + 500_000
    const content = Buffer.alloc(size, 7)
    content.write('START', 0)
    const session = await call(
      emulator,
      'POST',
      `/v1.0/me/messages/${draftId}/attachments/createUploadSession`,
      token,
      {
        AttachmentItem: {
          attachmentType: 'file',
          name: 'flower.bin',
          size,
          contentType: 'application/octet-stream',
        },
      },
    )
    assert.equal(session.statusCode, 201)
    const { uploadUrl, nextExpectedRanges, expirationDateTime } = session.json()
    assert.deepEqual(nextExpectedRanges, ['0-'])
    assert.ok(Date.parse(expirationDateTime) > Date.now())
    const url = new URL(uploadUrl)
    const put = (start: number, end: number, headers: Record<string, string> = {}) =>
      emulator.fastify.inject({
        method: 'PUT',
        url: url.pathname + url.search,
        payload: content.subarray(start, end + 1),
        headers: {
          'content-type': 'application/octet-stream',
          'content-range': `bytes ${start}-${end}/${size}`,
          ...headers,
        },
      })
    const chunk = 2 * 1024 * 1024
    const first = await put(0, chunk - 1, { authorization: 'Bearer ignored-by-upload-urls' })
    assert.equal(first.statusCode, 200, first.body)
    assert.deepEqual(first.json().nextExpectedRanges, [`${chunk}-`])
    assert.ok(first.json().ExpirationDateTime)
    const overlap = await put(chunk - 10, chunk + 99)
    assert.equal(overlap.statusCode, 416)
    assert.equal(overlap.json().error.code, 'fragmentOverlap')
    const gap = await put(chunk + 10, chunk + 99)
    assert.equal(gap.json().error.code, 'invalidRange')
    const wrongTotal = await put(chunk, chunk + 99, {
      'content-range': `bytes ${chunk}-${chunk + 99}/5`,
    })
    assert.equal(wrongTotal.json().error.code, 'invalidRange')
    const last = await put(chunk, size - 1)
    assert.equal(last.statusCode, 201)
    assert.equal(last.body, '')
    const location = new URL(String(last.headers.location))
    const stored = await call(emulator, 'GET', `${location.pathname}/$value`, token)
    assert.equal(stored.rawPayload.length, size)
    assert.equal(stored.rawPayload.subarray(0, 5).toString(), 'START')
    const gone = await put(0, 9)
    assert.equal(gone.statusCode, 404)
    assert.equal(gone.json().error.code, 'uploadSessionNotFound')

    assert.equal(
      (await call(emulator, 'POST', `/v1.0/me/messages/${draftId}/send`, token)).statusCode,
      202,
    )
    const [received] = await emulator.client.messages('lea@contoso.test', { folder: 'inbox' })
    const names = (received!.attachments as { name: string; size: number }[]).map((attachment) => [
      attachment.name,
      attachment.size,
    ])
    assert.deepEqual(names, [
      ['notes.txt', 10],
      ['flower.bin', size],
    ])
  })

  it('refuses upload sessions below 3 MB and a forged authtoken', async () => {
    const draft = (
      await call(emulator, 'POST', '/v1.0/me/messages', token, { subject: 'small' })
    ).json()
    const small = await call(
      emulator,
      'POST',
      `/v1.0/me/messages/${draft.id}/attachments/createUploadSession`,
      token,
      {
        AttachmentItem: { attachmentType: 'file', name: 'a', size: 1000 },
      },
    )
    assert.equal(small.json().error.code, 'ErrorAttachmentSizeShouldNotBeLessThanMinimumSize')
    const session = (
      await call(
        emulator,
        'POST',
        `/v1.0/me/messages/${draft.id}/attachments/createUploadSession`,
        token,
        {
          AttachmentItem: { attachmentType: 'file', name: 'a', size: 4 * 1024 * 1024 },
        },
      )
    ).json()
    const url = new URL(session.uploadUrl)
    const forged = await emulator.fastify.inject({
      method: 'PUT',
      url: url.pathname + '?authtoken=forged',
      payload: Buffer.alloc(10),
      headers: {
        'content-type': 'application/octet-stream',
        'content-range': `bytes 0-9/${4 * 1024 * 1024}`,
      },
    })
    assert.equal(forged.statusCode, 404)
    const missingRange = await emulator.fastify.inject({
      method: 'PUT',
      url: url.pathname + url.search,
      payload: Buffer.alloc(10),
      headers: { 'content-type': 'application/octet-stream' },
    })
    assert.equal(missingRange.json().error.code, 'invalidRange')
    const cancelled = await emulator.fastify.inject({
      method: 'DELETE',
      url: url.pathname + url.search,
    })
    assert.equal(cancelled.statusCode, 204)
  })
})
