/** Contacts: create, list (paged), get, update, delete; the display name Outlook makes; permissions. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Emulator } from '../app.ts'
import { call, graphFixture } from '../../../test/kit/emulator-graph.ts'

describe('Graph contacts', () => {
  let emulator: Emulator
  let token: string
  before(async () => {
    ;({ emulator } = await graphFixture())
    token = await emulator.client.issueToken({ scp: 'Contacts.ReadWrite' })
  })
  after(() => emulator.close())

  it('creates, reads, updates and deletes a contact', async () => {
    const created = await call(emulator, 'POST', '/v1.0/me/contacts', token, {
      GivenName: 'Pavel',
      surname: 'Bansky',
      emailAddresses: [{ address: 'pavelb@fabrikam.test', name: 'Pavel Bansky' }],
      businessPhones: ['+1 732 555 0102'],
      mobilePhone: '+1 732 555 0103',
      companyName: 'Fabrikam',
      jobTitle: 'Buyer',
    })
    assert.equal(created.statusCode, 201)
    const contact = created.json()
    assert.match(contact['@odata.context'], /\/contacts\/\$entity$/)
    assert.equal(contact.displayName, 'Pavel Bansky')
    assert.deepEqual(contact.homePhones, [])
    assert.deepEqual(contact.homeAddress, {})
    assert.equal(contact.title, null)
    const read = (
      await call(
        emulator,
        'GET',
        `/v1.0/me/contacts/${contact.id}?$select=displayName,emailAddresses`,
        token,
      )
    ).json()
    assert.deepEqual(Object.keys(read).slice(1), [
      '@odata.etag',
      'id',
      'displayName',
      'emailAddresses',
    ])
    assert.deepEqual(read.emailAddresses, [
      { address: 'pavelb@fabrikam.test', name: 'Pavel Bansky' },
    ])
    const patched = await call(emulator, 'PATCH', `/v1.0/me/contacts/${contact.id}`, token, {
      surname: 'Banský',
      homeAddress: { city: 'Prague' },
    })
    assert.equal(patched.json().displayName, 'Pavel Banský')
    assert.deepEqual(patched.json().homeAddress, { city: 'Prague' })
    assert.equal(
      (await call(emulator, 'DELETE', `/v1.0/me/contacts/${contact.id}`, token)).statusCode,
      204,
    )
    const gone = await call(emulator, 'GET', `/v1.0/me/contacts/${contact.id}`, token)
    assert.equal(gone.json().error.code, 'ErrorItemNotFound')
  })

  it('lists by 10 with a nextLink, orders by displayName, counts', async () => {
    for (let index = 1; index <= 12; index++)
      await call(emulator, 'POST', '/v1.0/me/contacts', token, {
        givenName: `P${String(index).padStart(2, '0')}`,
      })
    const first = (
      await call(emulator, 'GET', '/v1.0/me/contacts?$orderby=displayName desc&$count=true', token)
    ).json()
    assert.equal(first.value.length, 10)
    assert.equal(first['@odata.count'], 12)
    assert.equal(first.value[0].displayName, 'P12')
    const next = new URL(first['@odata.nextLink'])
    const second = (await call(emulator, 'GET', next.pathname + next.search, token)).json()
    assert.deepEqual(
      second.value.map((entry: { displayName: string }) => entry.displayName),
      ['P02', 'P01'],
    )
  })

  it("refuses unknown properties and callers without Contacts permissions, in Graph's words", async () => {
    const unknown = await call(emulator, 'POST', '/v1.0/me/contacts', token, { shoeSize: 42 })
    assert.equal(unknown.json().error.code, 'RequestBodyRead')
    const reader = await emulator.client.issueToken({ scp: 'Contacts.Read' })
    const denied = await call(emulator, 'POST', '/v1.0/me/contacts', reader, { givenName: 'x' })
    assert.equal(denied.statusCode, 403)
    assert.equal(denied.json().error.code, 'ErrorAccessDenied')
    assert.equal((await call(emulator, 'GET', '/v1.0/me/contacts', reader)).statusCode, 200)
  })
})
