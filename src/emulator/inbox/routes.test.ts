/**
 * The inbox viewer's pages: All mail (every mailbox, newest first), folders, the reading pane and its Headers and
 * Source views, the sandboxed body, attachments and photos, in English or French by Accept-Language, under a CSP
 * without inline code; unknown mailboxes, folders and messages get 404.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Emulator } from '../app.ts'
import { call, testEmulator } from '../../../test/kit/emulator-graph.ts'
import { html } from '../html.ts'

describe('inbox viewer', () => {
  let emulator: Emulator
  let messageId: string
  const page = (url: string, lang = 'en-US,en;q=0.9') =>
    emulator.fastify.inject({ url, headers: { 'accept-language': lang } })
  before(async () => {
    emulator = await testEmulator()
    const megan = await emulator.client.issueToken({ user: 'megan@contoso.test' })
    const first = await call(emulator, 'POST', '/v1.0/me/sendMail', megan, {
      message: {
        subject: 'Older',
        body: { contentType: 'Text', content: 'first' },
        toRecipients: [{ emailAddress: { address: 'nestor@contoso.test' } }],
      },
    })
    assert.equal(first.statusCode, 202)
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

  it('shows All mail on the home page: every mailbox, newest first, under a strict CSP', async () => {
    const response = await page('/')
    assert.equal(response.statusCode, 200)
    const csp = String(response.headers['content-security-policy'])
    assert.match(csp, /default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'/)
    assert.match(csp, /form-action 'self'; frame-ancestors 'none'/)
    assert.ok(!csp.includes('unsafe'), csp)
    assert.equal(response.headers['referrer-policy'], 'same-origin')
    assert.ok(
      !/<script>|<script [^>]*>[^<]|style=/.test(response.body),
      'no inline script or style',
    )
    assert.match(response.body, /<script src="\/inbox\/inbox.js" defer><\/script>/)
    assert.match(response.body, /<link rel="icon" href="\/favicon.svg" type="image\/svg\+xml">/)
    for (const name of ['All mail', 'Adele Vance', 'Léa Martin', 'External recipients'])
      assert.ok(response.body.includes(name), name)
    // Five copies: Adele's Sent Items, Léa's Inbox, the External outbox; Megan's Sent Items, Nestor's Inbox.
    const where = [...response.body.matchAll(/<span class="where">([^<]*)<\/span>/g)].map(
      (match) => match[1],
    )
    assert.equal(where.length, 5)
    assert.deepEqual(
      where.slice(3).sort(),
      ['Megan Bowen · Sent Items', 'Nestor Wilke · Inbox'],
      'the first mail sent is listed last',
    )
    assert.match(
      response.body,
      /href="\/inbox\/lea%40contoso.test\/inbox">[\s\S]*?<span class="count">1<span class="visually-hidden"> unread<\/span><\/span>/,
    )
  })

  it('shows folders, the message list and the message, escaped, with the body in a sandboxed frame', async () => {
    const response = await page(`/inbox/lea@contoso.test/inbox/${messageId}`)
    assert.equal(response.statusCode, 200)
    assert.ok(!response.body.includes('<script>alert'))
    assert.ok(response.body.includes('&lt;script&gt;alert(1)&lt;/script&gt; Hello'))
    assert.match(response.body, /<iframe class="body" sandbox="" src="\/inbox\/body\//)
    for (const folder of ['Inbox', 'Sent Items', 'Drafts', 'Deleted Items'])
      assert.ok(response.body.includes(folder), folder)
    assert.ok(response.body.includes('download="résumé &quot;1&quot;.txt"'))
    assert.match(response.body, /<button class="button" type="submit">Mark as read<\/button>/)
    assert.match(response.body, /<time datetime="\d{4}-\d\d-\d\dT[\d:.]+Z" data-format="long">/)
  })

  it('shows the header fields and the MIME source as text, the body never as markup', async () => {
    const headers = await page(`/inbox/lea@contoso.test/inbox/${messageId}?view=headers`)
    assert.match(headers.body, /<a href="[^"]*view=headers" aria-current="page">Headers<\/a>/)
    assert.match(
      headers.body,
      /<th scope="row">Subject<\/th><td>&lt;script&gt;alert\(1\)&lt;\/script&gt; Hello<\/td>/,
    )
    assert.match(headers.body, /<th scope="row">To<\/th><td>Léa Martin &lt;lea@contoso.test&gt;/)
    const source = await page(`/inbox/lea@contoso.test/inbox/${messageId}?view=source`)
    const pre = /<pre tabindex="0">([\s\S]*?)<\/pre>/.exec(source.body)?.[1] ?? ''
    const raw = await emulator.fastify.inject(`/inbox/raw/${messageId}`)
    const text = pre
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&')
    assert.equal(text, raw.body, 'the page shows the whole source, as text')
    assert.match(pre, /MIME-Version: 1\.0\r\nContent-Type: multipart\/mixed;/)
    assert.match(pre, /&lt;p&gt;Hi&lt;\/p&gt;&lt;script&gt;alert\(2\)&lt;\/script&gt;/)
    assert.equal(raw.headers['content-type'], 'text/plain; charset=utf-8')
    assert.match(String(raw.headers['content-security-policy']), /^sandbox; default-src 'none'/)
  })

  it('serves the body under CSP sandbox, attachments as downloads, photos as Graph has them', async () => {
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
    const lea = emulator.demo.users.find((user) => user.userPrincipalName === 'lea@contoso.test')!
    const home = await page('/')
    assert.ok(home.body.includes(`<img class="avatar" src="/inbox/photo/${lea.id}" alt=""`))
    const photo = await emulator.fastify.inject(`/inbox/photo/${lea.id}`)
    const token = await emulator.client.issueToken({ roles: ['User.Read.All'] })
    const graph = await call(emulator, 'GET', `/v1.0/users/${lea.id}/photo/$value`, token)
    assert.equal(photo.headers['content-type'], 'image/png')
    assert.deepEqual(photo.rawPayload, graph.rawPayload, 'the picture the Connect app shows')
  })

  it('speaks French to a French browser, with dates readable before the script formats them', async () => {
    const response = await page(`/inbox/lea@contoso.test/inbox/${messageId}`, 'fr-FR,fr;q=0.9')
    assert.match(response.body, /^<!doctype html>\n<html lang="fr">/)
    assert.equal(response.headers.vary, 'accept-language')
    for (const words of [
      'Boîte de réception',
      'Éléments envoyés',
      'Marquer comme lu',
      'Tout le courrier',
      'Rechercher',
      '<span class="count">1<span class="visually-hidden"> non lu</span></span>',
    ])
      assert.ok(response.body.includes(words), words)
    const long = /<time datetime="([^"]+)" data-format="long">([^<]+)<\/time>/.exec(response.body)!
    const date = new Date(long[1]!)
    const day = new Intl.DateTimeFormat('fr', { dateStyle: 'full', timeZone: 'UTC' }).format(date)
    assert.ok(long[2]!.startsWith(day), `${long[2]} begins with ${day}`)
    assert.match(long[2]!, / UTC$/)
    assert.doesNotMatch(long[2]!, /GMT/, 'not RFC 1123')
    const english = await page('/', 'en-US')
    assert.match(english.body, /<html lang="en">/)
  })

  it('shows the External outbox and answers unknown pages with 404, in the reader’s language', async () => {
    const external = await page('/inbox/external/outbox')
    assert.ok(external.body.includes('Hello'))
    assert.equal((await page('/inbox/nobody/inbox')).statusCode, 404)
    assert.equal((await page('/inbox/lea@contoso.test/nofolder')).statusCode, 404)
    assert.equal((await page(`/inbox/lea@contoso.test/drafts/${messageId}`)).statusCode, 404)
    assert.equal((await page('/inbox/body/AAMkmissing')).statusCode, 404)
    assert.equal((await page('/inbox/raw/AAMkmissing')).statusCode, 404)
    const missing = await page('/all/AAMkmissing', 'fr')
    assert.equal(missing.statusCode, 404)
    assert.match(missing.body, /<html lang="fr">[\s\S]*<h1>Introuvable<\/h1>/)
  })

  it('escapes every interpolation in html``', () => {
    assert.equal(html`<b>${'<i>"x"&\''}</b>`.value, '<b>&lt;i&gt;&quot;x&quot;&amp;&#39;</b>')
    assert.equal(
      html`<ul>${['<a>', html`<li>ok</li>`]}</ul>`.value,
      '<ul>&lt;a&gt;<li>ok</li></ul>',
    )
  })
})
