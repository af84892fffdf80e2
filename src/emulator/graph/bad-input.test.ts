/** Graph never answers 500 to bad input: random bodies, paths and query options. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import fc from 'fast-check'
import type { Emulator } from '../app.ts'
import { call, graphFixture } from '../../../test/kit/emulator-graph.ts'

// Bad input never crashes the emulator or earns a 500: whatever the body, Graph's envelope with a 4xx (or a success).
describe('Graph under arbitrary input', () => {
  let emulator: Emulator
  let token: string
  let draftId: string
  before(async () => {
    ;({ emulator, token } = await graphFixture())
    draftId = (await call(emulator, 'POST', '/v1.0/me/messages', token, { subject: 'fuzz' })).json()
      .id
  })
  after(() => emulator.close())

  const targets = () =>
    [
      ['POST', '/v1.0/me/sendMail'],
      ['POST', '/v1.0/me/messages'],
      ['PATCH', `/v1.0/me/messages/${draftId}`],
      ['POST', `/v1.0/me/messages/${draftId}/attachments`],
      ['POST', `/v1.0/me/messages/${draftId}/attachments/createUploadSession`],
      ['POST', '/v1.0/$batch'],
    ] as const

  const messageLike = fc.record(
    {
      message: fc.oneof(
        fc.anything(),
        fc.record(
          {
            subject: fc.anything(),
            body: fc.oneof(
              fc.anything(),
              fc.record({ contentType: fc.string(), content: fc.anything() }),
            ),
            toRecipients: fc.oneof(
              fc.anything(),
              fc.array(
                fc.record({
                  emailAddress: fc.oneof(fc.anything(), fc.record({ address: fc.anything() })),
                }),
              ),
            ),
            attachments: fc.anything(),
            importance: fc.string(),
            internetMessageHeaders: fc.anything(),
          },
          { requiredKeys: [] },
        ),
      ),
      saveToSentItems: fc.anything(),
      requests: fc.anything(),
    },
    { requiredKeys: [] },
  )

  it('answers JSON values of any shape with a non-5xx status', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.jsonValue(), messageLike),
        fc.integer({ min: 0, max: 5 }),
        async (body, index) => {
          const [method, url] = targets()[index]!
          const response = await call(emulator, method, url, token, JSON.stringify(body))
          assert.ok(
            response.statusCode < 500,
            `${method} ${url} ${JSON.stringify(body)} → ${response.statusCode} ${response.body}`,
          )
          if (response.statusCode >= 400) assert.ok(response.json().error.code)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('answers arbitrary bytes, query strings and content types with a non-5xx status', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 200 }),
        fc.constantFrom(
          'application/json',
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data',
          '',
        ),
        fc.string(),
        async (bytes, type, query) => {
          const response = await emulator.fastify.inject({
            method: 'POST',
            url: `/v1.0/me/sendMail?${encodeURIComponent(query)}=1`,
            headers: {
              authorization: `Bearer ${token}`,
              ...(type ? { 'content-type': type } : {}),
            },
            payload: Buffer.from(bytes),
          })
          assert.ok(response.statusCode < 500, `${type} → ${response.statusCode} ${response.body}`)
          const list = await emulator.fastify.inject({
            url: `/v1.0/me/messages?$top=${encodeURIComponent(query)}&$orderby=${encodeURIComponent(query)}`,
            headers: { authorization: `Bearer ${token}` },
          })
          assert.ok(list.statusCode < 500, `list ${query} → ${list.statusCode} ${list.body}`)
        },
      ),
      { numRuns: 200 },
    )
  })

  it('answers HEAD, which Graph does not document, as an unknown route (400 BadRequest, no body) where GET answers 200', async () => {
    const get = await call(emulator, 'GET', '/v1.0/me', token)
    assert.equal(get.statusCode, 200)
    const head = await emulator.fastify.inject({
      method: 'HEAD',
      url: '/v1.0/me',
      headers: { authorization: `Bearer ${token}` },
    })
    assert.equal(head.statusCode, 400)
    assert.equal(head.body, '')
  })
})
