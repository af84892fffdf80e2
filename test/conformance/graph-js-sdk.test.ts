/**
 * Conformance: the Graph JS SDK (@microsoft/microsoft-graph-client) against the emulator, configured as a user would:
 * `baseUrl` and `customHosts` (its auth middleware adds the token only for https:// Graph hosts or custom hosts, so the
 * emulator serves TLS on https://localhost:<port> with a trusted test CA), and its TokenCredentialAuthenticationProvider
 * over an Azure Identity credential. PageIterator, $batch (BatchRequestContent) and the RetryHandler on a scripted 429.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { UsernamePasswordCredential } from '@azure/identity'
import {
  BatchRequestContent,
  BatchResponseContent,
  Client,
  PageIterator,
  type PageCollection,
} from '@microsoft/microsoft-graph-client'
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js'
import { clientLabel } from './kit/client-version.ts'
import { watchOutboundHosts } from './kit/loopback-watch.ts'
import { startTlsEmulator, type TlsEmulator } from './kit/tls-emulator.ts'

const CLIENT = clientLabel('@microsoft/microsoft-graph-client')
const SCOPES = ['User.Read', 'Mail.ReadWrite', 'Mail.Send']
const SEEDED = 25

describe(`${CLIENT} against the emulator (baseUrl + customHosts)`, () => {
  let tls: TlsEmulator
  let client: Client
  const watch = watchOutboundHosts()
  before(async () => {
    tls = await startTlsEmulator()
    const { demo } = tls.emulator
    const adele = demo.users[0]!
    await tls.emulator.client.grantConsent({
      user: adele.userPrincipalName,
      clientId: demo.clientId,
      scope: SCOPES.join(' '),
    })
    const credential = new UsernamePasswordCredential(
      demo.tenantId,
      demo.clientId,
      adele.userPrincipalName,
      adele.password,
      { authorityHost: tls.url, disableInstanceDiscovery: true },
    )
    client = Client.initWithMiddleware({
      authProvider: new TokenCredentialAuthenticationProvider(credential, { scopes: SCOPES }),
      baseUrl: tls.url,
      customHosts: new Set([new URL(tls.url).hostname]),
    })
    await seedInbox(adele.userPrincipalName)
  })
  after(async () => {
    watch.stop()
    await tls.close()
    assert.deepEqual(watch.beyondLoopback(), [], 'no connection left loopback')
  })

  /** Léa sends Adele SEEDED mails (set-up through Graph with a control-API token, not under test). */
  async function seedInbox(to: string) {
    const lea = tls.emulator.demo.users[1]!.userPrincipalName
    const token = await tls.emulator.client.issueToken({ user: lea, scp: 'Mail.Send' })
    for (let index = 0; index < SEEDED; index++) {
      const response = await fetch(`${tls.emulator.client.graphUrl()}/me/sendMail`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          message: {
            subject: `page item ${index}`,
            toRecipients: [{ emailAddress: { address: to } }],
          },
        }),
      })
      assert.equal(response.status, 202)
    }
  }

  test(`${CLIENT} PageIterator walks the inbox through @odata.nextLink`, async () => {
    const since = await tls.emulator.client.mark()
    const first = (await client
      .api('/me/mailFolders/inbox/messages')
      .top(10)
      .select('subject')
      .get()) as PageCollection
    const subjects: string[] = []
    const iterator = new PageIterator(client, first, (message: { subject: string }) => {
      subjects.push(message.subject)
      return true
    })
    await iterator.iterate()
    assert.ok(iterator.isComplete())
    assert.equal(subjects.length, SEEDED)
    assert.equal(new Set(subjects).size, SEEDED)
    const pages = await tls.emulator.client.journal({ since, method: 'GET', path: '/messages' })
    assert.deepEqual(
      pages.map((entry) => [
        entry.status,
        String(entry.headers.authorization).startsWith('Bearer '),
      ]),
      [
        [200, true],
        [200, true],
        [200, true],
      ],
      'three pages, each with the token (nextLink stays on the custom host)',
    )
  })

  test(`${CLIENT} $batch with BatchRequestContent: GET /me, then a message list, then a sendMail (dependsOn)`, async () => {
    // In Node a Request needs an absolute URL; the SDK keeps only its path, relative to the batch's version (its docs
    // use browser-relative paths such as new Request('/me')).
    const graph = tls.url
    const megan = tls.emulator.demo.users[2]!.userPrincipalName
    const content = new BatchRequestContent([
      { id: 'me', request: new Request(`${graph}/me`, { method: 'GET' }) },
      {
        id: 'list',
        dependsOn: ['me'],
        request: new Request(`${graph}/me/messages?$top=2`, { method: 'GET' }),
      },
      {
        id: 'send',
        dependsOn: ['list'],
        request: new Request(`${graph}/me/sendMail`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            message: {
              subject: 'sent in a batch',
              toRecipients: [{ emailAddress: { address: megan } }],
            },
          }),
        }),
      },
    ])
    const answer = new BatchResponseContent(
      await client.api('/$batch').post(await content.getContent()),
    )
    const me = answer.getResponseById('me')
    assert.equal(me.status, 200)
    assert.equal(
      ((await me.json()) as { userPrincipalName: string }).userPrincipalName,
      tls.emulator.demo.users[0]!.userPrincipalName,
    )
    const list = answer.getResponseById('list')
    assert.equal(list.status, 200)
    assert.equal(((await list.json()) as { value: unknown[] }).value.length, 2)
    assert.equal(answer.getResponseById('send').status, 202)
    const inbox = await tls.emulator.client.messages(megan, { folder: 'inbox' })
    assert.ok(inbox.some((message) => message.subject === 'sent in a batch'))
  })

  test(`${CLIENT} RetryHandler: a scripted 429 with Retry-After 1 is retried once, then succeeds`, async () => {
    await tls.emulator.client.addFault({
      match: { method: 'GET', path: '/v1.0/me$' },
      count: 1,
      action: { status: 429, retryAfter: 1 },
    })
    const since = await tls.emulator.client.mark()
    const me = (await client.api('/me').get()) as { userPrincipalName: string }
    assert.equal(me.userPrincipalName, tls.emulator.demo.users[0]!.userPrincipalName)
    const calls = await tls.emulator.client.journal({ since, method: 'GET', path: /\/v1\.0\/me$/ })
    assert.deepEqual(
      calls.map((entry) => [
        entry.status,
        entry.fault !== undefined,
        entry.headers['retry-attempt'],
      ]),
      [
        [429, true, undefined],
        [200, false, '1'],
      ],
    )
  })
})
