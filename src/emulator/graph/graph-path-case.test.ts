/** Graph keywords match in any case; ids, the version segment and other paths keep theirs. */
import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import type { Emulator } from '../app.ts'
import { normalizeGraphUrl } from './graph-path-case.ts'
import { call, graphFixture, seedMail } from '../../../test/kit/emulator-graph.ts'

describe('normalizeGraphUrl', () => {
  it("rewrites keyword segments to the routes' casing and leaves keys, the version and the query alone", () => {
    assert.equal(normalizeGraphUrl('/v1.0/Me/SendMail'), '/v1.0/me/sendMail')
    assert.equal(
      normalizeGraphUrl('/beta/ME/MICROSOFT.GRAPH.SENDMAIL?x=Y'),
      '/beta/me/microsoft.graph.sendMail?x=Y',
    )
    assert.equal(
      normalizeGraphUrl('/v1.0/Users/Adele@Contoso.test/Messages/AAMkAD=/Attachments/AbC/$Value'),
      '/v1.0/users/Adele@Contoso.test/messages/AAMkAD=/attachments/AbC/$value',
    )
    assert.equal(
      normalizeGraphUrl('/v1.0/users/Me/photo'),
      '/v1.0/users/Me/photo',
      'a key that looks like a keyword stays',
    )
    assert.equal(
      normalizeGraphUrl('/v1.0/me/MailFolders/Inbox/Messages?$Top=5'),
      '/v1.0/me/mailFolders/Inbox/messages?$Top=5',
    )
    assert.equal(normalizeGraphUrl('/v1.0/me/messages/Send/Send'), '/v1.0/me/messages/Send/send')
    for (const url of [
      '/V1.0/ME',
      '/Beta/me',
      '/common/oauth2/v2.0/token',
      '/_emulator/mailboxes/Adele@contoso.test/messages',
      "/api/v2.0/Users('a@b')/Messages('m')/AttachmentSessions('s')",
      '/inbox/Adele',
      '/v1.0x/me',
    ]) {
      assert.equal(normalizeGraphUrl(url), url, url)
    }
  })
})

describe('Graph paths are case-insensitive, as on graph.microsoft.com', () => {
  let emulator: Emulator
  let token: string
  before(async () => ({ emulator, token } = await graphFixture()))
  beforeEach(() => emulator.client.reset())
  after(() => emulator.close())

  it('POST /v1.0/Me/microsoft.graph.SendMail → 202 and delivered; the journal keeps the path as sent', async () => {
    const response = await call(
      emulator,
      'POST',
      '/v1.0/Me/microsoft.graph.SendMail',
      token,
      seedMail(['lea@contoso.test'], 'Any case'),
    )
    assert.equal(response.statusCode, 202)
    const [received] = await emulator.client.messages('lea@contoso.test', { folder: 'inbox' })
    assert.equal(received!.subject, 'Any case')
    const journal = await emulator.client.journal()
    assert.ok(journal.some((entry) => entry.path === '/v1.0/Me/microsoft.graph.SendMail'))
  })

  it('GET /v1.0/ME, /v1.0/Users/{UPN in any case}, /v1.0/ME/Messages → 200; a fault on the canonical path still applies', async () => {
    const me = await call(emulator, 'GET', '/v1.0/ME', token)
    assert.equal(me.statusCode, 200)
    assert.equal(me.json().userPrincipalName, 'adele@contoso.test')
    const byUpn = await call(emulator, 'GET', '/v1.0/Users/ADELE@contoso.test', token)
    assert.equal(byUpn.statusCode, 200)
    assert.equal(byUpn.json().userPrincipalName, 'adele@contoso.test')
    assert.equal(
      (await call(emulator, 'GET', '/beta/Me/MailFolders/inbox/Messages', token)).statusCode,
      200,
    )
    await emulator.client.addFault({
      match: { method: 'POST', path: '/me/sendMail$' },
      action: { status: 503 },
    })
    assert.equal(
      (await call(emulator, 'POST', '/v1.0/ME/SENDMAIL', token, seedMail(['lea@contoso.test'])))
        .statusCode,
      503,
    )
  })

  it('the version segment keeps its case (no evidence Graph accepts /V1.0); identity and control paths are unchanged', async () => {
    assert.notEqual((await call(emulator, 'GET', '/V1.0/me', token)).statusCode, 200)
    const tenant = emulator.demo.tenantId.toUpperCase()
    assert.equal(
      (await emulator.fastify.inject(`/${tenant}/v2.0/.well-known/openid-configuration`))
        .statusCode,
      200,
    )
    assert.equal((await emulator.fastify.inject('/_emulator/mark')).statusCode, 200)
  })
})
