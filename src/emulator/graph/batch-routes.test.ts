/** POST /$batch: items, dependsOn and 424, per-item throttling, bad batches. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Emulator } from '../app.ts'
import { call, graphFixture, seedMail } from '../../../test/kit/emulator-graph.ts'

describe('POST /$batch', () => {
  let emulator: Emulator
  let token: string
  before(async () => ({ emulator, token } = await graphFixture()))
  after(() => emulator.close())

  const batch = (requests: unknown[]) => call(emulator, 'POST', '/v1.0/$batch', token, { requests })

  it('runs items with per-item status, headers and body; urls with or without a leading slash', async () => {
    const response = await batch([
      { id: '1', method: 'GET', url: '/me?$select=displayName' },
      {
        id: '2',
        method: 'POST',
        url: 'me/sendMail',
        headers: { 'Content-Type': 'application/json' },
        body: seedMail(['lea@contoso.test'], 'Batched'),
      },
      { id: '3', method: 'GET', url: '/me/nothing-here' },
    ])
    assert.equal(response.statusCode, 200)
    const { responses } = response.json()
    const byId = Object.fromEntries(responses.map((item: { id: string }) => [item.id, item]))
    assert.equal(byId['1'].status, 200)
    assert.equal(byId['1'].body.displayName, 'Adele Vance')
    assert.match(byId['1'].headers['Content-Type'], /^application\/json/)
    assert.equal(byId['2'].status, 202)
    assert.equal(byId['2'].body, undefined)
    assert.equal(byId['3'].status, 400)
    assert.equal(byId['3'].body.error.code, 'BadRequest')
    assert.equal(
      (await emulator.client.messages('lea@contoso.test', { folder: 'inbox' }))[0]!.subject,
      'Batched',
    )
  })

  it('serialises dependsOn and answers 424 to dependants of a failed request', async () => {
    const { responses } = (
      await batch([
        {
          id: 'a',
          method: 'POST',
          url: '/me/sendMail',
          headers: { 'content-type': 'application/json' },
          body: seedMail(['bad']),
        },
        { id: 'b', method: 'GET', url: '/me', dependsOn: ['a'] },
        { id: 'c', method: 'GET', url: '/me', dependsOn: ['b'] },
        { id: 'd', method: 'GET', url: '/me' },
      ])
    ).json()
    const status = Object.fromEntries(
      responses.map((item: { id: string; status: number }) => [item.id, item.status]),
    )
    assert.deepEqual(status, { a: 400, b: 424, c: 424, d: 200 })
  })

  it('refuses more than 20 requests, duplicate ids, unknown dependencies, cycles and a body without Content-Type', async () => {
    const many = Array.from({ length: 21 }, (_, index) => ({
      id: String(index),
      method: 'GET',
      url: '/me',
    }))
    assert.equal((await batch(many)).statusCode, 400)
    assert.equal((await batch(many.slice(0, 20))).statusCode, 200)
    assert.equal(
      (
        await batch([
          { id: 'x', method: 'GET', url: '/me' },
          { id: 'X', method: 'GET', url: '/me' },
        ])
      ).statusCode,
      400,
    )
    assert.equal(
      (await batch([{ id: 'x', method: 'GET', url: '/me', dependsOn: ['y'] }])).statusCode,
      400,
    )
    assert.equal(
      (
        await batch([
          { id: 'x', method: 'GET', url: '/me', dependsOn: ['y'] },
          { id: 'y', method: 'GET', url: '/me', dependsOn: ['x'] },
        ])
      ).statusCode,
      400,
    )
    assert.equal(
      (await batch([{ id: 'x', method: 'POST', url: '/me/sendMail', body: {} }])).statusCode,
      400,
    )
    const bad = await call(emulator, 'POST', '/v1.0/$batch', token, { nope: true })
    assert.equal(bad.json().error.code, 'BadRequest')
  })

  it('throttles per item: the envelope is 200, the item 429 with Retry-After', async () => {
    await emulator.client.configureThrottling({ sendsPerMinute: 1 })
    try {
      const { responses } = (
        await batch([
          {
            id: '1',
            method: 'POST',
            url: '/me/sendMail',
            headers: { 'content-type': 'application/json' },
            body: seedMail(['lea@contoso.test']),
          },
          {
            id: '2',
            method: 'POST',
            url: '/me/sendMail',
            headers: { 'content-type': 'application/json' },
            body: seedMail(['lea@contoso.test']),
            dependsOn: ['1'],
          },
        ])
      ).json()
      assert.equal(responses[0].status, 202)
      assert.equal(responses[1].status, 429)
      assert.ok(Number(responses[1].headers['Retry-After']) >= 1)
      assert.equal(responses[1].body.error.code, 'TooManyRequests')
    } finally {
      await emulator.client.configureThrottling(false)
    }
  })
})
