/** Graph authorizes every route from Microsoft's permission catalogue, by method, path and token scheme. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { FastifyRequest } from 'fastify'
import type { Emulator } from '../app.ts'
import { call, graphFixture, seedMail } from '../../../test/kit/emulator-graph.ts'
import { authorizeRoute, catalogueRoute } from './permissions.ts'

describe('Graph permissions from the catalogue (over HTTP)', () => {
  let emulator: Emulator
  let messageId: string
  const token = (shape: { user?: string; scp?: string; roles?: string[] }) =>
    emulator.client.issueToken(shape)
  before(async () => {
    let adele: string
    ;({ emulator, token: adele } = await graphFixture())
    const mail = seedMail(['lea@contoso.test'], 'Catalogue')
    assert.equal((await call(emulator, 'POST', '/v1.0/me/sendMail', adele, mail)).statusCode, 202)
    const lea = await token({ user: 'lea@contoso.test', scp: 'Mail.Read' })
    messageId = (await call(emulator, 'GET', '/v1.0/me/messages', lea)).json().value[0].id
  })
  after(() => emulator.close())

  it('Mail.ReadWrite reads a message (Graph lists it as higher privileged than Mail.Read)', async () => {
    const readWrite = await token({ user: 'lea@contoso.test', scp: 'Mail.ReadWrite' })
    const read = await call(emulator, 'GET', `/v1.0/me/messages/${messageId}`, readWrite)
    assert.equal(read.statusCode, 200)
  })

  it('Mail.ReadBasic lists messages but cannot read their attachments; Mail.Send reads nothing', async () => {
    const basic = await token({ user: 'lea@contoso.test', scp: 'Mail.ReadBasic' })
    assert.equal((await call(emulator, 'GET', '/v1.0/me/messages', basic)).statusCode, 200)
    const attachments = await call(
      emulator,
      'GET',
      `/v1.0/me/messages/${messageId}/attachments`,
      basic,
    )
    assert.equal(attachments.statusCode, 403)
    assert.equal(attachments.json().error.code, 'ErrorAccessDenied')
    const sendOnly = await token({ user: 'lea@contoso.test', scp: 'Mail.Send' })
    assert.equal((await call(emulator, 'GET', '/v1.0/me/mailFolders', sendOnly)).statusCode, 403)
  })

  it('a delegated call on /users/{own id} is looked up as /me; another user needs an .All permission', async () => {
    const lea = emulator.demo.users[1]!
    const own = await token({ user: lea.userPrincipalName, scp: 'User.Read Mail.Read' })
    assert.equal(
      (await call(emulator, 'GET', `/v1.0/users/${lea.id}/messages`, own)).statusCode,
      200,
    )
    const photo = `/v1.0/users/${emulator.demo.users[0]!.id}/photo/$value`
    const other = await call(emulator, 'GET', photo, own)
    assert.equal(other.statusCode, 403)
    assert.equal(other.json().error.code, 'Authorization_RequestDenied')
    const basic = await token({ user: lea.userPrincipalName, scp: 'User.ReadBasic.All' })
    assert.equal((await call(emulator, 'GET', photo, basic)).statusCode, 200)
  })

  it('application tokens: the application scheme of the same paths', async () => {
    const path = `/v1.0/users/lea@contoso.test/messages`
    const basic = await token({ roles: ['Mail.ReadBasic.All'] })
    assert.equal((await call(emulator, 'GET', path, basic)).statusCode, 200)
    const sender = await token({ roles: ['Mail.Send'] })
    const refused = await call(emulator, 'GET', path, sender)
    assert.equal(refused.statusCode, 403)
    assert.equal(refused.json().error.code, 'ErrorAccessDenied')
    const photo = await token({ roles: ['ProfilePhoto.Read.All'] })
    const bytes = await call(emulator, 'GET', '/v1.0/users/lea@contoso.test/photo/$value', photo)
    assert.equal(bytes.statusCode, 200)
    const directory = await token({ roles: ['Directory.Read.All'] })
    assert.equal(
      (await call(emulator, 'GET', '/v1.0/users/lea@contoso.test', directory)).statusCode,
      200,
    )
  })

  it('$batch items are checked one by one', async () => {
    const lea = await token({ user: 'lea@contoso.test', scp: 'User.Read' })
    const batch = await call(emulator, 'POST', '/v1.0/$batch', lea, {
      requests: [
        { id: '1', method: 'GET', url: '/me' },
        { id: '2', method: 'GET', url: '/me/messages' },
      ],
    })
    const statuses = Object.fromEntries(
      batch.json().responses.map((item: { id: string; status: number }) => [item.id, item.status]),
    )
    assert.deepEqual(statuses, { '1': 200, '2': 403 })
  })
})

/** A Fastify request as the Graph scope's hooks leave it, for routes another part of the emulator adds. */
function routed(method: string, url: string, scp: string, ownerId = 'me-id'): FastifyRequest {
  const claims = { oid: 'me-id', scp }
  const permissions = new Set(scp.toLowerCase().split(' '))
  return {
    method,
    is404: false,
    routeOptions: { url },
    graph: { auth: { claims, delegated: true, permissions }, owner: { id: ownerId } },
    log: { warn() {} },
  } as unknown as FastifyRequest
}

describe('Graph permissions for calendars, contacts, mailbox settings and the user list', () => {
  it('writes route templates as the catalogue does', () => {
    assert.equal(
      catalogueRoute('/v1.0/users/:user/messages/:id/microsoft.graph.send'),
      '/users/{id}/messages/{id}/send',
    )
    assert.equal(catalogueRoute('/beta/me/calendarView'), '/me/calendarview')
  })

  it('Calendars.Read reads events and the calendar view, not writes; Mail.Send reads no events', () => {
    assert.doesNotThrow(() => authorizeRoute(routed('GET', '/v1.0/me/events', 'Calendars.Read')))
    assert.doesNotThrow(() =>
      authorizeRoute(routed('GET', '/v1.0/me/calendarView', 'Calendars.Read')),
    )
    assert.throws(
      () => authorizeRoute(routed('POST', '/v1.0/me/events', 'Calendars.Read')),
      /Access is denied/,
    )
    assert.doesNotThrow(() =>
      authorizeRoute(routed('POST', '/v1.0/me/events', 'Calendars.ReadWrite')),
    )
    assert.throws(() => authorizeRoute(routed('GET', '/v1.0/me/events/:id', 'Mail.Send')))
  })

  it('contacts, mailbox settings and GET /users follow their own permissions', () => {
    assert.doesNotThrow(() => authorizeRoute(routed('GET', '/v1.0/me/contacts', 'Contacts.Read')))
    assert.throws(() => authorizeRoute(routed('GET', '/v1.0/me/contacts', 'Mail.Read')))
    assert.doesNotThrow(() =>
      authorizeRoute(routed('PATCH', '/v1.0/me/mailboxSettings', 'MailboxSettings.ReadWrite')),
    )
    assert.throws(() =>
      authorizeRoute(routed('PATCH', '/v1.0/me/mailboxSettings', 'MailboxSettings.Read')),
    )
    assert.doesNotThrow(() => authorizeRoute(routed('GET', '/v1.0/users', 'User.ReadBasic.All')))
    assert.throws(
      () => authorizeRoute(routed('GET', '/v1.0/users', 'User.Read')),
      /Insufficient privileges/,
    )
  })
})
