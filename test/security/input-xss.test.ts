/**
 * Input validation of the send form (SE-08, table-driven and fast-check over HTTP) and output encoding of every
 * user- or provider-controlled string (SE-09, an XSS corpus in Chromium: zero CSP violations, no dialogs).
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { Browser as Chromium, Page as PageLike } from 'playwright-core'
import type { EmulatorClient, JournalEntry } from '../../src/emulator/index.ts'
import type { Browser } from '../kit/browser.ts'
import { connectInChromium, launchChromium, watchPage } from '../kit/chromium.ts'
import { sends } from '../kit/journal.ts'
import { SECURITY, startSystem, type AppInstance, type System } from '../kit/system.ts'

let system: System
let emulator: EmulatorClient
let app: AppInstance
let chromium: Chromium
let client: Browser

before(async () => {
  system = await startSystem(SECURITY)
  emulator = system.client
  app = await system.startApp()
  chromium = await launchChromium()
  client = app.browser()
  assert.equal((await client.signIn(system.user('adele'))).status, 303)
})

after(async () => {
  await chromium?.close()
  await system?.close()
})

const escapeHtml = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
const messageOf = (entry: JournalEntry) => {
  const body = typeof entry.body === 'string' ? JSON.parse(entry.body) : entry.body
  return (body as { message: Record<string, unknown> }).message
}

/** A multipart POST /send as the browser's form sends it. */
async function sendMultipart(
  fields: Record<string, string>,
  files: { name: string; bytes: Uint8Array }[] = [],
) {
  const { csrf, form } = await client.formTokens()
  const defaults = { _csrf: csrf, _form: form, format: 'text', importance: 'normal' }
  return client.postMultipart(`${app.url}/send`, { ...defaults, ...fields }, files)
}

/** The message Graph got: the recipients deduplicated in order, the subject trimmed, the body as typed, nothing else. */
function assertSentAsNormalised(
  message: Record<string, unknown>,
  to: string,
  subject: string,
  body: string,
): void {
  const expected = [
    ...new Map(
      to
        .split(/[,;]/)
        .map((part) => part.trim())
        .filter(Boolean)
        .map((item) => [item.toLowerCase(), item]),
    ).values(),
  ]
  const actual = (message.toRecipients as { emailAddress: { address: string } }[]).map(
    (recipient) => recipient.emailAddress.address,
  )
  assert.deepEqual(actual, expected)
  assert.equal(message.subject, subject.trim())
  assert.equal((message.body as { content: string }).content, body)
  const fields = ['subject', 'body', 'toRecipients', 'ccRecipients', 'bccRecipients']
  const allowed = [...fields, 'importance', 'attachments', 'singleValueExtendedProperties']
  assert.deepEqual(
    Object.keys(message).filter((key) => !allowed.includes(key)),
    [],
  )
  // The one property the app adds: the send's key (RE-04), never anything from the input.
  const properties = (message.singleValueExtendedProperties ?? []) as {
    id: string
    value: string
  }[]
  assert.deepEqual(
    properties.map((property) => property.id),
    ['String {f22cc5cf-8ead-4ba9-8165-4be2ffe5497c} Name GraphConnectMergeKey'],
  )
  assert.match(properties[0]!.value, /^[\w-]{16,}$/)
}

/** Every control named `field` carries aria-invalid, and something (the control or its radio group) points at the error line. */
function assertMarkedInvalid(body: string, field: string): void {
  const tags = [...body.matchAll(/<(input|select|textarea|fieldset)\b[^>]*>/g)].map(
    (match) => match[0],
  )
  assert.ok(
    tags.some((tag) => new RegExp(`aria-describedby="[^"]*\\b${field}-error\\b`).test(tag)),
    `something is described by ${field}-error`,
  )
  const controls = tags.filter((tag) => tag.includes(`name="${field}"`))
  assert.ok(
    controls.length > 0 && controls.every((tag) => tag.includes('aria-invalid="true"')),
    `every ${field} control is aria-invalid`,
  )
}

describe('SE-08 send-form validation', () => {
  const long = (n: number) => 'x'.repeat(n)
  const cases: [string, Record<string, string>, number, string][] = [
    [
      'CR/LF in the subject',
      { to: 'megan@contoso.test', subject: 'Hello\r\nBcc: eve@evil.example' },
      400,
      'subject',
    ],
    [
      'U+2028 in the subject',
      { to: 'megan@contoso.test', subject: 'Hello\u2028Bcc: eve@evil.example' },
      400,
      'subject',
    ],
    ['NUL in the subject', { to: 'megan@contoso.test', subject: 'Hel\u0000lo' }, 400, 'subject'],
    ['CR/LF inside a recipient', { to: 'a@b.test\r\nBcc: eve@evil.example' }, 400, 'to'],
    ['a header-looking recipient', { to: 'megan@contoso.test>, <eve@evil.example' }, 400, 'to'],
    ['a 65-character local part', { to: `${long(65)}@contoso.test` }, 400, 'to'],
    [
      'an address over 254 characters',
      { to: `a@${long(63)}.${long(63)}.${long(63)}.${long(63)}.test` },
      400,
      'to',
    ],
    [
      '101 recipients (policy 100)',
      { to: Array.from({ length: 101 }, (_, i) => `r${i}@contoso.test`).join(';') },
      400,
      'to',
    ],
    [
      '501 recipients (Exchange limit 500)',
      { to: Array.from({ length: 501 }, (_, i) => `r${i}@contoso.test`).join(',') },
      400,
      'to',
    ],
    ['a 256-character subject', { to: 'megan@contoso.test', subject: long(256) }, 400, 'subject'],
    ['no recipient', { to: '' }, 400, 'to'],
    ['an unknown format', { to: 'megan@contoso.test', format: 'mime' }, 400, 'format'],
    [
      'an unknown importance',
      { to: 'megan@contoso.test', importance: 'urgent' },
      400,
      'importance',
    ],
    ['a body over 1 MB', { to: 'megan@contoso.test', body: long(1024 * 1024 + 10) }, 413, 'body'],
  ]
  for (const [name, fields, status, field] of cases) {
    test(`SE-08 ${name} → ${status}, no sendMail, the form kept as typed`, async () => {
      const mark = await emulator.mark()
      const typed = { subject: 'Kept as typed <b>&', body: 'Body kept', ...fields }
      const answer = await client.postSend(typed)
      assert.equal(answer.status, status)
      assert.match(answer.body, new RegExp(`id="${field}-error"`), `a field error on ${field}`)
      assertMarkedInvalid(answer.body, field)
      if (field === 'format' || field === 'importance')
        assert.match(
          answer.body,
          /<details class="more" open>/,
          'the folded options open to show the error',
        )
      const clean = !['\r', '\n', '\u2028', '\u0000'].some((character) =>
        typed.subject.includes(character),
      )
      if (typed.subject.length < 300 && clean)
        assert.ok(
          answer.body.includes(`value="${escapeHtml(typed.subject)}"`),
          'the subject is given back',
        )
      if (typed.body.length < 1000)
        assert.ok(
          answer.body.includes(`>${escapeHtml(typed.body)}</textarea>`),
          'the body is given back',
        )
      assert.equal((await sends(emulator, mark)).length, 0)
    })
  }

  test('SE-08 oversize or too many attachments (multipart) → 413, no sendMail, the fields kept', async () => {
    const mark = await emulator.mark()
    const tooMany = await sendMultipart(
      { to: 'megan@contoso.test', subject: 'Twenty-one files' },
      Array.from({ length: 21 }, (_, i) => ({ name: `f${i}.txt`, bytes: new Uint8Array(10) })),
    )
    assert.equal(tooMany.status, 413)
    assert.ok(tooMany.body.includes('value="Twenty-one files"'))
    const tooBig = await sendMultipart({ to: 'megan@contoso.test', subject: 'Big file' }, [
      { name: 'big.bin', bytes: new Uint8Array(25 * 1024 * 1024 + 1) },
    ])
    assert.equal(tooBig.status, 413)
    assert.ok(tooBig.body.includes('value="Big file"'))
    const bigBody = await sendMultipart({
      to: 'megan@contoso.test',
      subject: 'Big body',
      body: 'y'.repeat(2 * 1024 * 1024),
    })
    assert.equal(bigBody.status, 413)
    assert.equal((await sends(emulator, mark)).length, 0)
  })

  test('SE-08 from, sender, replyTo or headers fields are ignored: /me/sendMail carries only the form’s fields', async () => {
    const mark = await emulator.mark()
    const answer = await client.postSend({
      to: 'megan@contoso.test',
      from: 'ceo@contoso.test',
      sender: 'ceo@contoso.test',
      userId: 'megan@contoso.test',
      internetMessageHeaders: 'x-evil: 1',
      replyTo: 'eve@evil.example',
    })
    assert.equal(answer.status, 303)
    const [sent] = await sends(emulator, mark)
    assert.equal(sent!.path, '/v1.0/me/sendMail')
    const message = messageOf(sent!)
    for (const name of ['from', 'sender', 'internetMessageHeaders', 'replyTo'])
      assert.equal(message[name], undefined, name)
  })

  test('SE-08 property: arbitrary input is refused (4xx, no sendMail) or sent exactly as normalised, no extra recipients or headers', async () => {
    const local = fc.stringMatching(/^[a-z0-9._%+-]{1,12}$/)
    const address = fc.oneof(
      local.map((name) => `${name}@contoso.test`),
      fc.string({ maxLength: 20 }),
      fc.string({ unit: 'grapheme', maxLength: 20 }),
    )
    const recipients = fc
      .array(address, { maxLength: 5 })
      .chain((list) => fc.constantFrom(',', ';', ' , ', '\r\n', '\n').map((sep) => list.join(sep)))
    const text = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc.constantFrom('a\r\nBcc: eve@evil.example', 'x\u2028y', '\u0000'),
    )
    let refused = 0
    let sent = 0
    await fc.assert(
      fc.asyncProperty(recipients, text, text, async (to, subject, body) => {
        const mark = await emulator.mark()
        const answer = await client.postSend({ to, subject, body })
        const journaled = await sends(emulator, mark)
        if (answer.status === 400 || answer.status === 413) {
          refused++
          assert.equal(journaled.length, 0)
          return
        }
        assert.equal(answer.status, 303, `unexpected ${answer.status}`)
        sent++
        assert.equal(journaled.length, 1)
        assertSentAsNormalised(messageOf(journaled[0]!), to, subject, body)
      }),
      { numRuns: 120 },
    )
    assert.ok(refused > 0 && sent > 0, `both outcomes exercised (refused ${refused}, sent ${sent})`)
  })
})

/** A payload in every field of the send form: refused, and given back as typed, as text only. */
async function assertFormGivesBack(page: PageLike, payload: string): Promise<void> {
  await page.fill('#f-to', payload)
  await page.evaluate(() => document.querySelector('details.more')?.setAttribute('open', ''))
  await page.fill('#f-cc', payload)
  await page.fill('#f-subject', payload.slice(0, 255))
  await page.fill('#f-body', payload)
  await Promise.all([
    page.waitForLoadState('load'),
    page.click('button[type="submit"].button--primary, form.compose button[type="submit"]'),
  ])
  await page.waitForSelector('#f-to')
  assert.equal(await page.inputValue('#f-to'), payload, 'recipient given back as typed')
  assert.equal(await page.inputValue('#f-subject'), payload.slice(0, 255))
  assert.equal(await page.inputValue('#f-body'), payload)
  assert.ok(
    ((await page.textContent('main')) ?? '').includes(payload.trim()),
    'the error names the address as text',
  )
  assert.equal(
    await page
      .locator('main script, main iframe:not(.preview__frame), main svg[onload], main img[onerror]')
      .count(),
    0,
  )
  // The one frame is the body's preview: sandboxed (no script, no same-origin), whatever the body holds.
  assert.deepEqual(
    await page
      .locator('main iframe')
      .evaluateAll((frames) =>
        frames.map((frame) => `${frame.className} sandbox=${frame.getAttribute('sandbox')}`),
      ),
    ['preview__frame sandbox='],
  )
}

/** A payload as the identity provider's error and description: shown as text only. */
async function assertIdpErrorAsText(page: PageLike, payload: string): Promise<void> {
  const started = await page.request.get(`${app.url}/connect`, { maxRedirects: 0 }) // shares the browser's cookies
  const state = new URL(started.headers().location!).searchParams.get('state')!
  const description = `The provider says: ${payload}`
  await page.goto(
    `${app.url}/connect/get_token/?error=${encodeURIComponent(payload)}&error_description=${encodeURIComponent(description)}&state=${state}`,
  )
  assert.ok(
    ((await page.textContent('main')) ?? '').includes(payload.trim().slice(0, 40)),
    'the description is shown as text',
  )
  assert.equal(
    await page.locator('main script, main iframe, main img[onerror], main svg[onload]').count(),
    0,
  )
}

describe('SE-09 output encoding (Chromium)', () => {
  const corpus = [
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    'javascript:alert(1)',
    '`${alert(1)}`',
    '</textarea><script>alert(1)</script>',
    '</title><iframe src=javascript:alert(1)>',
    'jaVasCript:/*-/*`/*\\`/*\'/*"/**/(/* */oNcliCk=alert() )//</stYle/</titLe/</teXtarEa/</scRipt/--!><sVg/<sVg/oNloAd=alert()//>',
    "<% alert(1) %> {{constructor.constructor('alert(1)')()}} ${alert(1)}",
    '&lt;b&gt; &amp; &#x3C;script&#x3E;',
    ...fc.sample(
      fc.string({
        unit: fc.constantFrom('<', '>', '"', "'", '&', '`', 'a', '/', '=', ' '),
        minLength: 5,
        maxLength: 30,
      }),
      { numRuns: 4, seed: 42 },
    ),
  ]

  test('SE-09 the XSS corpus in the display name, recipients, subject, body, IdP error text and flow page renders as text only', async () => {
    const displayName = corpus[1]! + corpus[7]!.slice(0, 60)
    const user = {
      userPrincipalName: `xss-${Date.now()}@contoso.test`,
      password: 'Xss.Demo1',
      displayName,
    }
    assert.equal((await emulator.addUser(user)).userPrincipalName, user.userPrincipalName)
    const context = await chromium.newContext()
    const page = await context.newPage()
    const { violations, dialogs } = await watchPage(page, { withSample: true })

    await connectInChromium(page, app.url, emulator.url, user)
    assert.ok(
      ((await page.textContent('h1')) ?? '').includes(displayName),
      'the display name is shown as text',
    )

    for (const payload of corpus) await assertFormGivesBack(page, payload)

    // A real send with hostile subject and body, then the flow inspector (it shows the id_token's name claim).
    await page.fill('#f-to', user.userPrincipalName)
    await page.fill('#f-cc', '')
    await page.fill('#f-subject', corpus[0]!)
    await page.fill('#f-body', corpus[5]!)
    await Promise.all([
      page.waitForLoadState('load'),
      page.click('form.compose button[type="submit"]'),
    ])
    await page.waitForSelector('.banner--success')
    await page.goto(`${app.url}/flow`)
    assert.ok(((await page.textContent('main')) ?? '').includes(displayName.slice(0, 20)))

    // The identity provider's error text.
    for (const payload of corpus.slice(0, 8)) await assertIdpErrorAsText(page, payload)
    await page.waitForTimeout(300)
    assert.deepEqual(violations, [])
    assert.deepEqual(dialogs, [])
    await context.close()
  })
})
