/**
 * Conformance: the Kiota-generated Graph SDK (@microsoft/msgraph-sdk + @microsoft/msgraph-sdk-users, authenticated by
 * @microsoft/kiota-authentication-azure over an Azure Identity credential) against the emulator, configured as a user
 * would: the request adapter's `baseUrl` and the auth provider's `allowedHosts`. Azure Identity needs an https://
 * authority, so the emulator serves TLS on https://localhost:<port> with a trusted test CA.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { UsernamePasswordCredential } from '@azure/identity'
import { AzureIdentityAuthenticationProvider } from '@microsoft/kiota-authentication-azure'
import {
  createGraphServiceClient,
  GraphRequestAdapter,
  type GraphServiceClient,
} from '@microsoft/msgraph-sdk'
import '@microsoft/msgraph-sdk-users'
import { clientLabel } from './kit/client-version.ts'
import { watchOutboundHosts } from './kit/loopback-watch.ts'
import { startTlsEmulator, type TlsEmulator } from './kit/tls-emulator.ts'

const CLIENT = clientLabel('@microsoft/msgraph-sdk')
const USERS_PACKAGE = clientLabel('@microsoft/msgraph-sdk-users')
const SCOPES = ['User.Read', 'User.ReadBasic.All', 'Mail.ReadWrite', 'Mail.Send']

describe(`${CLIENT} with ${USERS_PACKAGE} against the emulator (baseUrl + allowedHosts)`, () => {
  let tls: TlsEmulator
  let graph: GraphServiceClient
  const watch = watchOutboundHosts()
  const user = (index: number) => tls.emulator.demo.users[index]!
  before(async () => {
    tls = await startTlsEmulator()
    const { demo } = tls.emulator
    await tls.emulator.client.grantConsent({
      user: user(0).userPrincipalName,
      clientId: demo.clientId,
      scope: SCOPES.join(' '),
    })
    const credential = new UsernamePasswordCredential(
      demo.tenantId,
      demo.clientId,
      user(0).userPrincipalName,
      user(0).password,
      { authorityHost: tls.url, disableInstanceDiscovery: true },
    )
    const auth = new AzureIdentityAuthenticationProvider(
      credential,
      SCOPES,
      undefined,
      new Set([new URL(tls.url).hostname]),
    )
    const adapter = new GraphRequestAdapter(auth)
    adapter.baseUrl = tls.emulator.client.graphUrl()
    graph = createGraphServiceClient(adapter)
  })
  after(async () => {
    watch.stop()
    await tls.close()
    assert.deepEqual(watch.beyondLoopback(), [], 'no connection left loopback')
  })

  test(`${CLIENT} 1. me.get() with $select`, async () => {
    const me = await graph.me.get({ queryParameters: { select: ['displayName', 'mail'] } })
    assert.equal(me?.mail, user(0).userPrincipalName)
    assert.equal(me?.displayName, user(0).displayName)
  })

  test(`${CLIENT} 2. users.byUserId(upn).get()`, async () => {
    const lea = await graph.users.byUserId(user(1).userPrincipalName).get()
    assert.equal(lea?.id, user(1).id)
  })

  test(`${CLIENT} 3. me.sendMail.post()`, async () => {
    await graph.me.sendMail.post({
      message: {
        subject: 'From Kiota',
        body: { contentType: 'text', content: 'Sent by the Kiota Graph SDK.' },
        toRecipients: [{ emailAddress: { address: user(0).userPrincipalName } }],
      },
      saveToSentItems: true,
    })
    const inbox = await tls.emulator.client.messages(user(0).userPrincipalName, { folder: 'inbox' })
    assert.ok(inbox.some((message) => message.subject === 'From Kiota'))
  })

  test(`${CLIENT} 4. me.mailFolders.get()`, async () => {
    const folders = await graph.me.mailFolders.get()
    const inbox = folders?.value?.find((folder) => folder.displayName === 'Inbox')
    assert.ok(inbox, 'an Inbox folder')
    assert.ok((inbox.totalItemCount ?? 0) >= 1)
  })

  test(`${CLIENT} 5. inbox messages with $top/$select/$orderby, then messages.byMessageId().get()`, async () => {
    const page = await graph.me.mailFolders.byMailFolderId('inbox').messages.get({
      queryParameters: { top: 5, select: ['subject'], orderby: ['receivedDateTime desc'] },
    })
    const first = page?.value?.[0]
    assert.equal(first?.subject, 'From Kiota')
    const message = await graph.me.messages.byMessageId(first!.id!).get()
    assert.equal(message?.body?.content, 'Sent by the Kiota Graph SDK.')
  })

  test(`${CLIENT} 6. me.messages.post() a draft, then messages.byMessageId().send.post()`, async () => {
    const draft = await graph.me.messages.post({
      subject: 'Drafted by Kiota',
      toRecipients: [{ emailAddress: { address: user(2).userPrincipalName } }],
    })
    assert.equal(draft?.isDraft, true)
    await graph.me.messages.byMessageId(draft!.id!).send.post()
    const inbox = await tls.emulator.client.messages(user(2).userPrincipalName, { folder: 'inbox' })
    assert.ok(inbox.some((message) => message.subject === 'Drafted by Kiota'))
  })

  test(`${CLIENT} 7. users.get() lists the directory`, async () => {
    const users = await graph.users.get({ queryParameters: { select: ['userPrincipalName'] } })
    const names = users?.value?.map((entry) => entry.userPrincipalName)
    assert.ok(names?.includes(user(4).userPrincipalName), JSON.stringify(names))
  })
})
