/** The viewer's search: the query syntax, and `/?q=` over every mailbox (sender, recipient, subject, body). */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Emulator } from '../app.ts'
import { newRecord } from '../graph/compose.ts'
import { call, testEmulator } from '../../../test/kit/emulator-graph.ts'
import { isEmptyQuery, matchesQuery, parseQuery } from './search.ts'

describe('search query', () => {
  const message = {
    ...newRecord('user-1', 'inbox', new Date().toISOString()),
    subject: 'Résumé du trimestre',
    body: { contentType: 'html' as const, content: '<p>Les chiffres&nbsp;sont <b>bons</b></p>' },
    from: { emailAddress: { name: 'Megan Bowen', address: 'megan@contoso.test' } },
    toRecipients: [{ emailAddress: { name: 'Léa Martin', address: 'lea@contoso.test' } }],
    ccRecipients: [{ emailAddress: { name: 'Partner', address: 'partner@example.org' } }],
    isRead: false,
  }
  const finds = (query: string) => matchesQuery(message, parseQuery(query))

  it('reads words, "phrases", field prefixes and is:', () => {
    assert.deepEqual(parseQuery('from:Megan "chiffres sont" is:unread Bons'), {
      terms: [
        { field: 'from', text: 'megan' },
        { field: 'any', text: 'chiffres sont' },
        { field: 'any', text: 'bons' },
      ],
      isRead: false,
    })
    assert.ok(isEmptyQuery(parseQuery('   ')))
    assert.deepEqual(parseQuery('https://x').terms, [{ field: 'any', text: 'https://x' }])
  })

  it('finds by sender, recipient (To, Cc), subject and body text, ignoring case and accents', () => {
    for (const query of [
      'megan',
      'from:bowen',
      'to:lea',
      'to:partner@example.org',
      'subject:resume',
      'TRIMESTRE',
      'body:"chiffres sont bons"',
      'léa chiffres',
      'is:unread',
    ])
      assert.ok(finds(query), query)
    for (const query of [
      'from:lea',
      'to:megan',
      'subject:chiffres',
      'body:trimestre',
      'body:nbsp',
      'is:read',
      'megan absent',
    ])
      assert.ok(!finds(query), query)
  })
})

describe('GET /?q=', () => {
  let emulator: Emulator
  before(async () => {
    emulator = await testEmulator()
    const send = async (user: string, subject: string, to: string, content: string) => {
      const token = await emulator.client.issueToken({ user })
      const answer = await call(emulator, 'POST', '/v1.0/me/sendMail', token, {
        message: {
          subject,
          body: { contentType: 'Text', content },
          toRecipients: [{ emailAddress: { address: to } }],
        },
        saveToSentItems: false,
      })
      assert.equal(answer.statusCode, 202)
    }
    await send('megan@contoso.test', 'Budget review', 'lea@contoso.test', 'Numbers for Q3')
    await send('adele@contoso.test', 'Lunch', 'nestor@contoso.test', 'Pizza on Friday?')
    await send('diego@contoso.test', 'Invoice 42', 'partner@example.org', 'Budget attached')
  })
  after(() => emulator.close())

  const subjects = async (query: string) => {
    const response = await emulator.fastify.inject(`/?q=${encodeURIComponent(query)}`)
    assert.equal(response.statusCode, 200)
    return [...response.body.matchAll(/<span class="subject">(?:<[^>]*>[^<]*<\/span>)*([^<]*)</g)]
      .map((match) => match[1])
      .sort()
  }

  it('searches every mailbox and says what it searched', async () => {
    assert.deepEqual(await subjects('budget'), ['Budget review', 'Invoice 42'])
    assert.deepEqual(await subjects('from:adele'), ['Lunch'])
    assert.deepEqual(await subjects('to:partner'), ['Invoice 42'])
    assert.deepEqual(await subjects('body:pizza'), ['Lunch'])
    assert.deepEqual(await subjects('subject:review to:lea'), ['Budget review'])
    const none = await emulator.fastify.inject('/?q=nothing%20here')
    assert.match(none.body, /<h1 id="list-title">Search: nothing here<\/h1>/)
    assert.match(none.body, /No message matches “nothing here”\./)
    assert.match(none.body, /<input id="q" name="q" type="search" value="nothing here"/)
  })

  it('keeps the search in the links of its results', async () => {
    const response = await emulator.fastify.inject('/?q=lunch')
    const [, href] = /<ul class="messages">\s*<li><a class="unread" href="([^"]+)"/.exec(
      response.body,
    )!
    assert.match(href!, /^\/all\/[^?]+\?q=lunch$/)
    const open = await emulator.fastify.inject(href!.replace(/&amp;/g, '&'))
    assert.equal(open.statusCode, 200)
    assert.match(open.body, /<a href="\/\?q=lunch">← Back to Search: lunch<\/a>/)
    assert.match(open.body, /<h2 id="message-title">Lunch<\/h2>/)
  })
})
