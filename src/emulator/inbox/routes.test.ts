/** The inbox viewer: pages, the sandboxed message body, attachments, unknown mailboxes and folders. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Emulator } from '../app.ts'
import { call, testEmulator } from '../../../test/kit/emulator-graph.ts'
import { html } from '../html.ts'

describe('inbox viewer', () => {
  let emulator: Emulator
  let messageId: string
  before(async () => {
    emulator = await testEmulator()
    const response = await call(
      emulator,
      'POST',
      '/v1.0/me/sendMail',
      await emulator.client.issueToken(),
      {
        message: {
          subject: '<script>alert(1)</script> Hello',
          body: { contentType: 'HTML', content: '<p>Hi</p><script>alert(2)</script>' },
          toRecipients: [
            { emailAddress: { address: 'lea@contoso.test' } },
            { emailAddress: { address: 'out@example.org' } },
          ],
          attachments: [
            {
              '@odata.type': '#microsoft.graph.fileAttachment',
              name: 'résumé "1".txt',
              contentBytes: Buffer.from('cv').toString('base64'),
            },
          ],
        },
      },
    )
    assert.equal(response.statusCode, 202)
    messageId = String(
      (await emulator.client.messages('lea@contoso.test', { folder: 'inbox' }))[0]!.id,
    )
  })
  after(() => emulator.close())

  it('lists every mailbox with unread counts on the home page, under a strict CSP', async () => {
    const response = await emulator.fastify.inject('/')
    assert.equal(response.statusCode, 200)
    assert.match(
      String(response.headers['content-security-policy']),
      /default-src 'none'; style-src 'self'/,
    )
    for (const name of ['Adele Vance', 'Léa Martin', 'External recipients', 'What is this?'])
      assert.ok(response.body.includes(name), name)
    assert.ok(!/<script|style=/.test(response.body), 'no inline scripts or styles')
    assert.match(response.body, /href="\/inbox\/lea%40contoso.test\/inbox"[\s\S]*?title="1 unread"/)
  })

  it('shows folders, the message list and the message, escaped, with the body in a sandboxed frame', async () => {
    const response = await emulator.fastify.inject(`/inbox/lea@contoso.test/inbox/${messageId}`)
    assert.equal(response.statusCode, 200)
    assert.ok(!response.body.includes('<script>alert(1)'))
    assert.ok(response.body.includes('&lt;script&gt;alert(1)&lt;/script&gt; Hello'))
    assert.match(response.body, /<iframe class="body" sandbox="" src="\/inbox\/body\//)
    for (const folder of ['Inbox', 'Sent Items', 'Drafts', 'Deleted Items'])
      assert.ok(response.body.includes(folder), folder)
    assert.ok(response.body.includes('download="résumé &quot;1&quot;.txt"'))
  })

  it('serves the body under CSP sandbox, and attachments as downloads', async () => {
    const body = await emulator.fastify.inject(`/inbox/body/${messageId}`)
    assert.match(
      String(body.headers['content-security-policy']),
      /^sandbox; default-src 'none'; img-src data:/,
    )
    assert.match(
      body.body,
      /^<style>body\{font:[^<]*\}<\/style><p>Hi<\/p><script>alert\(2\)<\/script>$/,
      'a default font, then the body verbatim; the sandbox keeps scripts from running',
    )
    const [message] = await emulator.client.messages('lea@contoso.test', { folder: 'inbox' })
    const [attachment] = message!.attachments as { id: string }[]
    const download = await emulator.fastify.inject(
      `/inbox/attachment/${messageId}/${attachment!.id}`,
    )
    assert.equal(download.body, 'cv')
    assert.match(
      String(download.headers['content-disposition']),
      /^attachment; filename="r_sum_ _1_.txt"; filename\*=UTF-8''r%C3%A9sum%C3%A9%20%221%22.txt$/,
    )
  })

  it('shows the External outbox and answers unknown pages with 404', async () => {
    const external = await emulator.fastify.inject('/inbox/external/outbox')
    assert.ok(external.body.includes('Hello'))
    assert.equal((await emulator.fastify.inject('/inbox/nobody/inbox')).statusCode, 404)
    assert.equal(
      (await emulator.fastify.inject('/inbox/lea@contoso.test/nofolder')).statusCode,
      404,
    )
    assert.equal((await emulator.fastify.inject('/inbox/body/AAMkmissing')).statusCode, 404)
  })

  it('escapes every interpolation in html``', () => {
    assert.equal(html`<b>${'<i>"x"&\''}</b>`.value, '<b>&lt;i&gt;&quot;x&quot;&amp;&#39;</b>')
    assert.equal(
      html`<ul>${['<a>', html`<li>ok</li>`]}</ul>`.value,
      '<ul>&lt;a&gt;<li>ok</li></ul>',
    )
  })
})
