/**
 * Single-value extended properties on messages: set on create, sendMail and PATCH, id formats checked, kept on the
 * sender's draft and Sent Items copy (not on recipients' copies), answered only when expanded, found with Graph's
 * `singleValueExtendedProperties/any(ep: …)` filter.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Emulator } from '../app.ts'
import { call, graphFixture } from '../../../test/kit/emulator-graph.ts'
import { propertyKey } from './extended-properties.ts'

const GUID = '66f5a359-4659-4830-9070-00047ec6ac6e'
const KEY = `String {${GUID}} Name IdempotencyKey`
const LEA = 'lea@contoso.test'
const q = (text: string) => encodeURIComponent(text)
const anyKey = (id: string, value: string, lambda = 'any') =>
  `$filter=${q(`singleValueExtendedProperties/${lambda}(ep: ep/id eq '${id}' and ep/value eq '${value}')`)}`
const expandKey = (id: string) =>
  `$expand=${q(`singleValueExtendedProperties($filter=id eq '${id}')`)}`

describe('singleValueExtendedProperties on messages', () => {
  let emulator: Emulator
  let token: string
  before(async () => {
    ;({ emulator, token } = await graphFixture())
  })
  after(() => emulator.close())

  const draft = async (value: string, folder?: string, extra: object = {}) => {
    const url = folder ? `/v1.0/me/mailFolders/${folder}/messages` : '/v1.0/me/messages'
    const response = await call(emulator, 'POST', url, token, {
      subject: `Row ${value}`,
      toRecipients: [{ emailAddress: { address: LEA } }],
      singleValueExtendedProperties: [{ id: KEY, value }],
      ...extra,
    })
    assert.equal(response.statusCode, 201, response.body)
    return response.json() as { id: string; subject: string }
  }
  const ids = async (url: string) => {
    const response = await call(emulator, 'GET', url, token)
    assert.equal(response.statusCode, 200, response.body)
    return (response.json().value as { subject: string }[]).map((message) => message.subject)
  }

  it('keeps them on a draft and answers them only when expanded, with their context', async () => {
    const made = await draft('row-1')
    assert.equal('singleValueExtendedProperties' in made, false)
    const plain = await call(emulator, 'GET', `/v1.0/me/messages/${made.id}`, token)
    assert.equal('singleValueExtendedProperties' in plain.json(), false)
    const expanded = await call(
      emulator,
      'GET',
      `/v1.0/me/messages/${made.id}?${expandKey(KEY)}`,
      token,
    )
    assert.deepEqual(expanded.json().singleValueExtendedProperties, [{ id: KEY, value: 'row-1' }])
    assert.match(
      expanded.json()['singleValueExtendedProperties@odata.context'],
      /\$metadata#users\('[^']+'\)\/messages\('[^']+'\)\/singleValueExtendedProperties$/,
    )
    const other = `String {${GUID}} Name Other`
    const none = await call(
      emulator,
      'GET',
      `/v1.0/me/messages/${made.id}?${expandKey(other)}`,
      token,
    )
    assert.equal('singleValueExtendedProperties' in none.json(), false, 'no match: left out')
  })

  it("accepts Graph's id formats and refuses others with ErrorInvalidExtendedProperty", async () => {
    for (const id of [
      `String {${GUID}} Id 0x8001`,
      'String 0x1234',
      `integer {${GUID.toUpperCase()}} name N`,
    ]) {
      const response = await call(emulator, 'POST', '/v1.0/me/messages', token, {
        singleValueExtendedProperties: [{ id, value: '1' }],
      })
      assert.equal(response.statusCode, 201, `${id}: ${response.body}`)
    }
    const bad = [
      'String {not-a-guid} Name X',
      `StringArray {${GUID}} Name X`,
      `String ${GUID} Name X`,
      'String 0xZZ',
      `String {${GUID}} Id twelve`,
      `String {${GUID}} Name`,
      'Color',
    ]
    for (const id of bad) {
      const response = await call(emulator, 'POST', '/v1.0/me/messages', token, {
        singleValueExtendedProperties: [{ id, value: 'x' }],
      })
      assert.equal(response.statusCode, 400, id)
      assert.deepEqual(
        [response.json().error.code, response.json().error.message],
        ['ErrorInvalidExtendedProperty', 'The extended property attribute combination is invalid.'],
        id,
      )
    }
    const typed = await call(emulator, 'POST', '/v1.0/me/messages', token, {
      singleValueExtendedProperties: [{ id: KEY, value: 3 }],
    })
    assert.equal(typed.json().error.code, 'RequestBodyRead')
  })

  it('compares ids as Exchange does: the Name with case, the type and GUID without', () => {
    assert.equal(
      propertyKey(`string {${GUID.toUpperCase()}} Name K`),
      propertyKey(`String {${GUID}} Name K`),
    )
    assert.notEqual(propertyKey(`String {${GUID}} Name k`), propertyKey(`String {${GUID}} Name K`))
    assert.equal(propertyKey(`String {${GUID}} id 0x00FF`), propertyKey(`String {${GUID}} Id 0xff`))
  })

  it('PATCH sets a new value for the same property and adds others', async () => {
    const made = await draft('before')
    const second = `String {${GUID}} Name Attempt`
    const patched = await call(emulator, 'PATCH', `/v1.0/me/messages/${made.id}`, token, {
      singleValueExtendedProperties: [
        { id: KEY.replace('String', 'string').replace(GUID, GUID.toUpperCase()), value: 'after' },
        { id: second, value: '2' },
      ],
    })
    assert.equal(patched.statusCode, 200, patched.body)
    const expand = `$expand=${q(`singleValueExtendedProperties($filter=id eq '${KEY}' or id eq '${second}')`)}`
    const got = await call(emulator, 'GET', `/v1.0/me/messages/${made.id}?${expand}`, token)
    assert.deepEqual(got.json().singleValueExtendedProperties, [
      { id: KEY, value: 'after' },
      { id: second, value: '2' },
    ])
  })

  it('finds messages with $filter=singleValueExtendedProperties/any(…) (and Any), values without case', async () => {
    await draft('find-me')
    await draft('in-folder', 'drafts')
    assert.deepEqual(await ids(`/v1.0/me/messages?${anyKey(KEY, 'find-me')}`), ['Row find-me'])
    assert.deepEqual(await ids(`/v1.0/me/messages?${anyKey(KEY, 'FIND-ME', 'Any')}`), [
      'Row find-me',
    ])
    assert.deepEqual(
      await ids(`/v1.0/me/mailFolders/drafts/messages?${anyKey(KEY, 'in-folder')}`),
      ['Row in-folder'],
    )
    assert.deepEqual(
      await ids(`/v1.0/me/mailFolders/inbox/messages?${anyKey(KEY, 'in-folder')}`),
      [],
    )
    const nameCase = KEY.replace('IdempotencyKey', 'idempotencykey')
    assert.deepEqual(await ids(`/v1.0/me/messages?${anyKey(nameCase, 'find-me')}`), [])
    const contains = `$filter=${q(`singleValueExtendedProperties/any(ep:ep/Id eq '${KEY}' and contains(ep/Value, 'ND-M'))`)}`
    assert.deepEqual(await ids(`/v1.0/me/messages?${contains}`), ['Row find-me'])
    const count = await call(
      emulator,
      'GET',
      `/v1.0/me/messages/$count?${anyKey(KEY, 'find-me')}`,
      token,
    )
    assert.equal(count.body, '1')
    const listed = await call(
      emulator,
      'GET',
      `/v1.0/me/messages?${anyKey(KEY, 'find-me')}&${expandKey(KEY)}`,
      token,
    )
    assert.deepEqual(listed.json().value[0].singleValueExtendedProperties, [
      { id: KEY, value: 'find-me' },
    ])
  })

  it('refuses other lambdas and other forms as before (ErrorInvalidUrlQueryFilter)', async () => {
    const filters = [
      `toRecipients/any(r: r/emailAddress/address eq '${LEA}')`,
      `singleValueExtendedProperties/all(ep: ep/id eq '${KEY}')`,
      `singleValueExtendedProperties/any(ep: ep/value eq 'x')`,
      `singleValueExtendedProperties/any(ep: other/id eq '${KEY}')`,
      `singleValueExtendedProperties/any(ep: ep/id eq '${KEY}' and endswith(ep/value, 'x'))`,
    ]
    for (const filter of filters) {
      const response = await call(emulator, 'GET', `/v1.0/me/messages?$filter=${q(filter)}`, token)
      assert.equal(response.statusCode, 400, filter)
      assert.equal(response.json().error.code, 'ErrorInvalidUrlQueryFilter', filter)
    }
    const badId = await call(emulator, 'GET', `/v1.0/me/messages?${anyKey('Key', 'x')}`, token)
    assert.equal(badId.json().error.code, 'ErrorInvalidExtendedProperty')
    const attachments = await call(emulator, 'GET', '/v1.0/me/messages?$expand=attachments', token)
    assert.equal(attachments.statusCode, 400)
  })

  it("stay on the sender's Sent Items copy when a draft is sent, not on the recipients' copies", async () => {
    const made = await draft('sent-draft')
    const sent = await call(emulator, 'POST', `/v1.0/me/messages/${made.id}/send`, token)
    assert.equal(sent.statusCode, 202)
    assert.deepEqual(
      await ids(`/v1.0/me/mailFolders/sentitems/messages?${anyKey(KEY, 'sent-draft')}`),
      ['Row sent-draft'],
    )
    assert.deepEqual(
      await ids(`/v1.0/me/mailFolders/drafts/messages?${anyKey(KEY, 'sent-draft')}`),
      [],
    )
    const [received] = (await emulator.client.messages(LEA, { folder: 'inbox' })).filter(
      (message) => message.subject === 'Row sent-draft',
    )
    assert.deepEqual(received!.singleValueExtendedProperties, [])
  })

  it('are taken from sendMail, /users/{id} form, and kept in Sent Items', async () => {
    const app = await emulator.client.issueToken({ roles: ['Mail.Send', 'Mail.ReadWrite'] })
    const adele = emulator.demo.users[0]!.userPrincipalName
    const response = await call(emulator, 'POST', `/v1.0/users/${adele}/sendMail`, app, {
      message: {
        subject: 'Row via sendMail',
        toRecipients: [{ emailAddress: { address: LEA } }],
        singleValueExtendedProperties: [{ id: KEY, value: 'send-mail' }],
      },
    })
    assert.equal(response.statusCode, 202, response.body)
    const found = await call(
      emulator,
      'GET',
      `/v1.0/users/${adele}/mailFolders/sentitems/messages?${anyKey(KEY, 'send-mail')}`,
      app,
    )
    assert.deepEqual(
      found.json().value.map((message: { subject: string }) => message.subject),
      ['Row via sendMail'],
    )
    const [copy] = (await emulator.client.messages(adele, { folder: 'sentitems' })).filter(
      (message) => message.subject === 'Row via sendMail',
    )
    assert.deepEqual(copy!.singleValueExtendedProperties, [{ id: KEY, value: 'send-mail' }])
  })
})
