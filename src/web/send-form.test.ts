/**
 * The send form at HTTP level: the readable welcome pre-fill, its text twin without JavaScript, and large attachments
 * refused before any Graph call when SCOPES lacks Mail.ReadWrite (real multipart parts, through inject).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { welcomeMail } from './welcome-mail.ts'
import { closingTestApps, Jar } from '../../test/kit/web-app.ts'
import type { ConnectApp } from './app.ts'

/** Every app a test starts, closed when the file's tests are done. */
const startApp = closingTestApps()

const withReadWrite = { SCOPES: 'openid profile offline_access User.Read Mail.Send Mail.ReadWrite' }

async function signedIn(app: ConnectApp, lang = 'en') {
  const jar = new Jar()
  jar.cookies.set('lang', lang)
  const connect = await app.inject({ url: '/connect', headers: { cookie: jar.header() } })
  jar.take(connect.headers['set-cookie'])
  const state = new URL(String(connect.headers.location)).searchParams.get('state') ?? ''
  const callback = await app.inject({
    url: `/connect/get_token/?code=c&state=${state}`,
    headers: { cookie: jar.header() },
  })
  jar.take(callback.headers['set-cookie'])
  const page = await app.inject({ url: '/', headers: { cookie: jar.header() } })
  jar.take(page.headers['set-cookie'])
  const value = (name: string) =>
    page.body.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1] ?? ''
  return { jar, page, tokens: { _csrf: value('_csrf'), _form: value('_form') } }
}

interface Part {
  name: string
  value: string | Buffer
  filename?: string
  contentType?: string
}

function multipart(parts: Part[]): { payload: Buffer; contentType: string } {
  const boundary = '----graph-connect-test-boundary'
  const chunks: Buffer[] = []
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename ? `; filename="${part.filename}"` : ''}`
    const type = part.filename
      ? `\r\nContent-Type: ${part.contentType ?? 'application/octet-stream'}`
      : ''
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}${type}\r\n\r\n`),
      Buffer.from(part.value),
      Buffer.from('\r\n'),
    )
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return {
    payload: Buffer.concat(chunks),
    contentType: `multipart/form-data; boundary=${boundary}`,
  }
}

function send(app: ConnectApp, jar: Jar, parts: Part[]) {
  const { payload, contentType } = multipart(parts)
  return app.inject({
    method: 'POST',
    url: '/send',
    payload,
    headers: { cookie: jar.header(), 'content-type': contentType, origin: 'http://localhost:8000' },
  })
}

const fieldsOf = (tokens: Record<string, string>, fields: Record<string, string>): Part[] =>
  Object.entries({ ...tokens, ...fields }).map(([name, value]) => ({ name, value }))

const unescape = (text: string) =>
  text
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')

test('the Message field is pre-filled with short readable HTML, and carries the plain-text twin for the script', async () => {
  const { app } = await startApp()
  for (const lang of ['en', 'fr'] as const) {
    const { page } = await signedIn(app, lang)
    const welcome = welcomeMail('Adele Vance', lang)
    const textarea = page.body.match(/<textarea id="f-body"[^>]*>([\s\S]*?)<\/textarea>/)
    assert.ok(textarea, lang)
    assert.equal(unescape(textarea[1]!), welcome.html)
    assert.doesNotMatch(textarea[1]!, /&#60;html|&#60;head|style=/)
    assert.equal(
      unescape(textarea[0].match(/data-welcome-text="([^"]*)"/)?.[1] ?? ''),
      welcome.text,
    )
    assert.equal(
      unescape(textarea[0].match(/data-welcome-html="([^"]*)"/)?.[1] ?? ''),
      welcome.html,
    )
  }
})

test('without JavaScript, picking Text with the untouched welcome sends the text version; an edited body is sent as typed', async () => {
  const { app, script } = await startApp()
  const welcome = welcomeMail('Adele Vance', 'en')
  const first = await signedIn(app)
  const untouched = await send(
    app,
    first.jar,
    fieldsOf(first.tokens, {
      to: 'adele@contoso.test',
      subject: 's',
      body: welcome.html.replace(/\n/g, '\r\n'),
      format: 'text',
    }),
  )
  assert.equal(untouched.statusCode, 303)
  const sent = script.sends[0] as { body: { contentType: string; content: string } }
  assert.deepEqual(sent.body, { contentType: 'text', content: welcome.text })

  const second = await signedIn(app)
  const edited = `${welcome.html}\n<p>P.S.</p>`
  await send(
    app,
    second.jar,
    fieldsOf(second.tokens, {
      to: 'adele@contoso.test',
      subject: 's',
      body: edited,
      format: 'text',
    }),
  )
  assert.equal((script.sends[1] as { body: { content: string } }).body.content, edited)
})

test('a large attachment without Mail.ReadWrite in SCOPES → 413 before any Graph call, the form kept, the fix said (en, fr)', async () => {
  const { app, script } = await startApp()
  const big = Buffer.alloc(3.5 * 1024 * 1024, 7)
  const cases = [
    {
      lang: 'en',
      hint: /Up to 3 MB in all\./,
      error:
        /This app sends attachments of up to 3 MB in all: attach smaller files, or send them in several mails\./,
    },
    {
      lang: 'fr',
      hint: /Jusqu’à 3 Mo en tout\./,
      error:
        /Cette application envoie jusqu’à 3 Mo de pièces jointes en tout\u202f: joignez des fichiers plus petits/,
    },
  ]
  for (const { lang, hint, error } of cases) {
    const { jar, page, tokens } = await signedIn(app, lang)
    assert.match(page.body, hint, `${lang}: the hint says the limit that applies`)
    const response = await send(app, jar, [
      ...fieldsOf(tokens, {
        to: 'megan@contoso.test',
        subject: 'Quarterly report',
        body: 'Typed body',
        format: 'text',
      }),
      { name: 'attachments', value: big, filename: 'report.bin' },
    ])
    assert.equal(response.statusCode, 413, lang)
    assert.match(response.body, error, lang)
    assert.match(response.body, /id="attachments-error"/)
    assert.match(response.body, /value="megan@contoso\.test"/)
    assert.match(response.body, /value="Quarterly report"/)
    assert.match(response.body, />Typed body<\/textarea>/)
  }
  // Several small files that together exceed 3 MB also need a draft.
  const { jar, tokens } = await signedIn(app)
  const two = await send(app, jar, [
    ...fieldsOf(tokens, { to: 'megan@contoso.test', subject: 's' }),
    { name: 'attachments', value: Buffer.alloc(2 * 1024 * 1024), filename: 'a.bin' },
    { name: 'attachments', value: Buffer.alloc(2 * 1024 * 1024), filename: 'b.bin' },
  ])
  assert.equal(two.statusCode, 413)
  assert.equal(script.sends.length, 0, 'nothing reached Graph')
})

test('up to 3 MB in all is sent inline with the default scopes; with Mail.ReadWrite the hint allows 25 MB and a large file goes on to Graph', async () => {
  const { app, script } = await startApp()
  const small = await signedIn(app)
  const response = await send(app, small.jar, [
    ...fieldsOf(small.tokens, { to: 'megan@contoso.test', subject: 's' }),
    { name: 'attachments', value: Buffer.alloc(3 * 1024 * 1024 - 1, 1), filename: 'fits.bin' },
  ])
  assert.equal(response.statusCode, 303)
  assert.equal(script.sends.length, 1)

  const { app: wide, script: wideScript } = await startApp(withReadWrite)
  const { jar, page, tokens } = await signedIn(wide)
  assert.match(page.body, /Up to 25 MB in all/)
  const large = await send(wide, jar, [
    ...fieldsOf(tokens, { to: 'megan@contoso.test', subject: 's' }),
    { name: 'attachments', value: Buffer.alloc(3.5 * 1024 * 1024), filename: 'big.bin' },
  ])
  assert.equal(
    large.statusCode,
    303,
    'past validation: the draft path ran (createDraft is not scripted here, so it fails after)',
  )
  assert.equal(wideScript.sends.length, 0)
})
