/** $filter and $count on message lists: the forms clients use, and Graph's errors for the rest. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Emulator } from '../app.ts'
import { call, graphFixture } from '../../../test/kit/emulator-graph.ts'

describe('Graph message $filter and $count', () => {
  let emulator: Emulator
  let lea: string
  let middle: string
  before(async () => {
    const { emulator: built } = await graphFixture()
    emulator = built
    lea = await emulator.client.issueToken({ user: 'lea@contoso.test', scp: 'Mail.ReadWrite' })
    for (const [user, subject] of [
      ['adele@contoso.test', 'From Adele 1'],
      ['megan@contoso.test', 'From Megan'],
      ['adele@contoso.test', 'From Adele 2'],
    ] as const) {
      const token = await emulator.client.issueToken({ user, scp: 'Mail.Send' })
      const response = await call(emulator, 'POST', '/v1.0/me/sendMail', token, {
        message: { subject, toRecipients: [{ emailAddress: { address: 'lea@contoso.test' } }] },
      })
      assert.equal(response.statusCode, 202)
      if (subject === 'From Megan') middle = (await list('')).value[0].receivedDateTime
      await new Promise((resolve) => setTimeout(resolve, 5)) // distinct receivedDateTime values
    }
  })
  after(() => emulator.close())

  const list = async (query: string, folder = '/mailFolders/inbox') => {
    const response = await call(emulator, 'GET', `/v1.0/me${folder}/messages${query}`, lea)
    assert.equal(response.statusCode, 200, response.body)
    return response.json()
  }
  const subjects = (body: { value: { subject: string }[] }) => body.value.map((m) => m.subject)
  const filter = (text: string) => `?$filter=${encodeURIComponent(text)}`

  it('filters on from/emailAddress/address, isRead and receivedDateTime, combined with and', async () => {
    assert.deepEqual(
      subjects(await list(filter("from/emailAddress/address eq 'ADELE@contoso.test'"))),
      ['From Adele 2', 'From Adele 1'],
    )
    const [first] = (await list(filter("subject eq 'From Adele 1'"))).value
    await call(emulator, 'PATCH', `/v1.0/me/messages/${first.id}`, lea, { isRead: true })
    assert.deepEqual(subjects(await list(filter('isRead eq false'))), [
      'From Adele 2',
      'From Megan',
    ])
    assert.deepEqual(
      subjects(
        await list(filter(`receivedDateTime ge ${middle} and receivedDateTime le ${middle}`)),
      ),
      ['From Megan'],
    )
    assert.deepEqual(
      subjects(await list(filter(`receivedDateTime ge ${middle} and isRead eq false`), '')),
      ['From Adele 2', 'From Megan'],
    )
    const either = "from/emailAddress/address in ('megan@contoso.test', 'nobody@contoso.test')"
    assert.deepEqual(subjects(await list(filter(either))), ['From Megan'])
  })

  it('counts: @odata.count with $count=true, and …/messages/$count as text', async () => {
    const counted = await list(
      `${filter("from/emailAddress/address eq 'adele@contoso.test'")}&$count=true&$top=1`,
    )
    assert.equal(counted['@odata.count'], 2)
    assert.equal(counted.value.length, 1)
    assert.deepEqual(Object.keys(counted).slice(0, 2), ['@odata.context', '@odata.count'])
    assert.ok(counted['@odata.nextLink'].includes('$filter='))
    const raw = await call(emulator, 'GET', '/v1.0/me/messages/$count', lea)
    assert.equal(raw.statusCode, 200)
    assert.match(String(raw.headers['content-type']), /^text\/plain/)
    assert.equal(raw.body, '3')
    const filtered = await call(
      emulator,
      'GET',
      `/v1.0/me/mailFolders/inbox/messages/$count${filter('isRead eq true')}`,
      lea,
    )
    assert.equal(filtered.body, '1')
  })

  it('sorts a filtered list only on the filtered property first (InefficientFilter otherwise)', async () => {
    const sorted = await list(
      `${filter(`receivedDateTime ge ${middle}`)}&$orderby=receivedDateTime asc`,
    )
    assert.deepEqual(subjects(sorted), ['From Megan', 'From Adele 2'])
    const bad = await call(
      emulator,
      'GET',
      `/v1.0/me/messages${filter('isRead eq false')}&$orderby=subject`,
      lea,
    )
    assert.equal(bad.statusCode, 400)
    assert.equal(bad.json().error.code, 'InefficientFilter')
    assert.equal(
      bad.json().error.message,
      'The restriction or sort order is too complex for this operation.',
    )
  })

  it("answers Graph's errors for syntax, unknown properties, types and unsupported forms", async () => {
    const error = async (text: string) => {
      const response = await call(emulator, 'GET', `/v1.0/me/messages${filter(text)}`, lea)
      assert.equal(response.statusCode, 400, text)
      return response.json().error
    }
    const syntax = await error("subject eq 'x")
    assert.equal(syntax.code, 'BadRequest')
    assert.equal(
      syntax.message,
      "Invalid filter clause: Syntax error at position 11 in 'subject eq 'x'.",
    )
    assert.equal((await error("colour eq 'red'")).code, 'RequestBroker--ParseUri')
    assert.equal(
      (await error("colour eq 'red'")).message,
      "Could not find a property named 'colour' on type 'microsoft.graph.message'.",
    )
    assert.equal(
      (await error("toRecipients/any(r:r/emailAddress/address eq 'a@b.c')")).code,
      'ErrorInvalidUrlQueryFilter',
    )
    assert.equal(
      (await error("endswith(subject,'1')")).message,
      'The query filter contains one or more invalid nodes.',
    )
    assert.match((await error("receivedDateTime ge '2024-01-01'")).message, /incompatible types/)
    assert.equal((await error('isRead gt true')).code, 'ErrorInvalidUrlQueryFilter')
  })
})
