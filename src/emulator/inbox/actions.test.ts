/**
 * The viewer's actions — read flag (seen through Graph), delete, empty a mailbox, empty all — from its own forms or
 * JSON, and their refusal to another site (forged Origin, text/plain, Sec-Fetch-Site, no proof of origin), to other
 * clients than loopback and to names the emulator does not serve.
 */
import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import type { Emulator } from '../app.ts'
import { call, seedMail, testEmulator } from '../../../test/kit/emulator-graph.ts'

const OWN = 'http://localhost:80'
const FORM = 'application/x-www-form-urlencoded'

describe('inbox viewer actions', () => {
  let emulator: Emulator
  let appToken: string
  let lea: { id: string }
  let messageId: string
  before(async () => {
    emulator = await testEmulator()
    appToken = await emulator.client.issueToken({ roles: ['Mail.Read'] })
    lea = emulator.demo.users.find((user) => user.userPrincipalName === 'lea@contoso.test')!
  })
  beforeEach(async () => {
    await emulator.client.reset()
    for (const user of ['adele@contoso.test', 'megan@contoso.test']) {
      const token = await emulator.client.issueToken({ user })
      const sent = await call(emulator, 'POST', '/v1.0/me/sendMail', token, {
        ...seedMail(['lea@contoso.test'], `From ${user}`),
        Message: {
          ...seedMail(['lea@contoso.test']).Message,
          Subject: `From ${user}`,
          Attachments: [
            {
              '@odata.type': '#microsoft.graph.fileAttachment',
              Name: 'a.txt',
              ContentBytes: 'YQ==',
            },
          ],
        },
      })
      assert.equal(sent.statusCode, 202)
    }
    messageId = String(
      (await emulator.client.messages('lea@contoso.test', { folder: 'inbox' }))[0]!.id,
    )
  })
  after(() => emulator.close())

  /** A form post as the viewer's page sends it (its Origin), or with the headers given. */
  const post = (
    url: string,
    fields: Record<string, string>,
    headers: Record<string, string> = { origin: OWN },
  ) =>
    emulator.fastify.inject({
      method: 'POST',
      url,
      headers: { 'content-type': FORM, ...headers },
      payload: new URLSearchParams(fields).toString(),
    })
  /** The message as a Graph client reads it, with an app token. */
  const graphMessage = (id = messageId) =>
    call(emulator, 'GET', `/v1.0/users/${lea.id}/messages/${id}`, appToken)
  const count = async (mailbox: string) => (await emulator.client.messages(mailbox)).length

  it('marks a message unread and read again, as a Graph client then sees it', async () => {
    const before = (await graphMessage()).json()
    assert.equal(before.isRead, false)
    const back = `/inbox/lea%40contoso.test/inbox/${messageId}?view=headers`
    const read = await post(`/inbox/messages/${messageId}/read`, { isRead: 'true', back })
    assert.equal(read.statusCode, 303)
    assert.equal(read.headers.location, back)
    const after = (await graphMessage()).json()
    assert.equal(after.isRead, true)
    assert.notEqual(
      after.changeKey,
      before.changeKey,
      'a change gets a new changeKey, as in Exchange',
    )
    const page = await emulator.fastify.inject(back)
    assert.match(page.body, />Mark as unread<\/button>/)
    const unread = await emulator.fastify.inject({
      method: 'POST',
      url: `/inbox/messages/${messageId}/read`,
      headers: { 'content-type': 'application/json' },
      payload: { isRead: false },
    })
    assert.equal(unread.statusCode, 204, 'JSON, from a program')
    assert.equal((await graphMessage()).json().isRead, false)
  })

  it('deletes one message for good, its attachments too', async () => {
    const [attachment] = (
      await emulator.client.messages('lea@contoso.test', { folder: 'inbox' })
    )[0]!.attachments as { id: string }[]
    const list = '/inbox/lea%40contoso.test/inbox'
    const deleted = await post(`/inbox/messages/${messageId}/delete`, { back: list })
    assert.equal(deleted.statusCode, 303)
    assert.equal(deleted.headers.location, list)
    assert.equal((await graphMessage()).statusCode, 404)
    assert.equal(
      (await emulator.fastify.inject(`/inbox/attachment/${messageId}/${attachment!.id}`))
        .statusCode,
      404,
    )
    assert.equal(await count('lea@contoso.test'), 1, 'the other message stays')
    assert.equal((await post(`/inbox/messages/${messageId}/delete`, {})).statusCode, 404)
  })

  it('empties one mailbox (every folder), then every mailbox; users stay', async () => {
    assert.equal(await count('adele@contoso.test'), 1)
    const emptied = await post('/inbox/mailboxes/lea%40contoso.test/empty', { back: '/' })
    assert.equal(emptied.statusCode, 303)
    assert.equal(await count('lea@contoso.test'), 0)
    assert.equal(await count('adele@contoso.test'), 1, "Adele's Sent Items stay")
    assert.equal((await post('/inbox/mailboxes/nobody/empty', {})).statusCode, 404)
    const all = await post('/inbox/mailboxes/empty', { back: '//evil.example/' })
    assert.equal(all.statusCode, 303)
    assert.equal(all.headers.location, '/', 'back leads to a page of this site only')
    for (const back of ['/\\evil.example', 'https://evil.example/', '/a\r\nSet-Cookie: x=1', '/é'])
      assert.equal((await post('/inbox/mailboxes/empty', { back })).headers.location, '/', back)
    for (const mailbox of ['adele@contoso.test', 'megan@contoso.test', 'external'])
      assert.equal(await count(mailbox), 0, mailbox)
    assert.equal((await emulator.client.demo()).users.length, emulator.demo.users.length)
    assert.ok(
      (await emulator.client.mailboxes()).some(
        (box) => box.userPrincipalName === 'lea@contoso.test',
      ),
    )
  })

  it('refuses every change another site could make, and changes nothing', async () => {
    const attempts: [string, LightMyRequestResponse, number, string][] = [
      [
        'forged Origin, text/plain',
        await emulator.fastify.inject({
          method: 'POST',
          url: '/inbox/mailboxes/empty',
          headers: { origin: 'https://attacker.example', 'content-type': 'text/plain' },
          payload: 'back=/',
        }),
        403,
        'CrossSiteRequest',
      ],
      [
        'forged Origin, a form',
        await post('/inbox/mailboxes/empty', {}, { origin: 'https://attacker.example' }),
        403,
        'CrossSiteRequest',
      ],
      [
        'Origin: null',
        await post(`/inbox/messages/${messageId}/delete`, {}, { origin: 'null' }),
        403,
        'CrossSiteRequest',
      ],
      [
        'Sec-Fetch-Site: cross-site',
        await post('/inbox/mailboxes/empty', {}, { 'sec-fetch-site': 'cross-site' }),
        403,
        'CrossSiteRequest',
      ],
      [
        'same-site, another port',
        await post(
          '/inbox/mailboxes/empty',
          {},
          { origin: 'http://localhost:3000', 'sec-fetch-site': 'same-site' },
        ),
        403,
        'CrossSiteRequest',
      ],
      [
        'a form without a word of its origin',
        await post(`/inbox/messages/${messageId}/read`, { isRead: 'true' }, {}),
        403,
        'CrossSiteRequest',
      ],
      [
        'own Origin, text/plain',
        await emulator.fastify.inject({
          method: 'POST',
          url: '/inbox/mailboxes/empty',
          headers: { origin: OWN, 'content-type': 'text/plain' },
          payload: '{}',
        }),
        415,
        'UnsupportedMediaType',
      ],
      [
        'JSON with a forged Origin',
        await emulator.fastify.inject({
          method: 'POST',
          url: '/inbox/mailboxes/empty',
          headers: { origin: 'https://attacker.example', 'content-type': 'application/json' },
          payload: {},
        }),
        403,
        'CrossSiteRequest',
      ],
      [
        'a client beyond loopback',
        await emulator.fastify.inject({
          method: 'POST',
          url: '/inbox/mailboxes/empty',
          remoteAddress: '10.1.2.3',
          headers: { origin: OWN, 'content-type': FORM },
          payload: '',
        }),
        403,
        'Forbidden',
      ],
      [
        'a name the emulator does not serve',
        await post(
          '/inbox/mailboxes/empty',
          {},
          { origin: 'http://attacker.example', host: 'attacker.example' },
        ),
        421,
        'MisdirectedRequest',
      ],
    ]
    for (const [what, response, status, code] of attempts) {
      assert.equal(response.statusCode, status, `${what}: ${response.body}`)
      assert.equal(response.json().error.code, code, what)
    }
    assert.equal(await count('lea@contoso.test'), 2, 'nothing was deleted')
    assert.equal((await graphMessage()).json().isRead, false, 'nothing was marked')
    const sameOrigin = await post(
      `/inbox/messages/${messageId}/read`,
      { isRead: 'true' },
      { 'sec-fetch-site': 'same-origin' },
    )
    assert.equal(
      sameOrigin.statusCode,
      303,
      "Sec-Fetch-Site: same-origin is the browser's word too",
    )
  })
})
