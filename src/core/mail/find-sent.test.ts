/** findSent and mayFindSent against the real emulator: a sent copy, a draft only, nothing, a token that cannot read. */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { testEmulator } from '../../../test/kit/emulator-graph.ts'
import { createGraphClient, type GraphClient } from '../graph/graph-client.ts'
import { findSent, mayFindSent } from './find-sent.ts'
import { parseSendForm } from './parse-send-form.ts'
import { saveParsedDraft, sendParsedMail } from './send-parsed-mail.ts'
import { withSendKey } from './send-key.ts'

let emulator: Awaited<ReturnType<typeof testEmulator>>
const megan = 'megan@contoso.test' // a demo user of the emulator's seed

before(async () => {
  emulator = await testEmulator()
  await emulator.listen({ port: 0, host: 'localhost' })
})

after(() => emulator?.close())

async function graph(scp: string): Promise<GraphClient> {
  const token = await emulator.client.issueToken({ scp })
  return createGraphClient({
    baseUrl: emulator.client.graphUrl(),
    token: async () => token,
    timeoutMs: 2000,
    retryBudgetMs: 0,
  })
}

function mail(subject: string) {
  const parsed = parseSendForm(
    { to: megan, subject, body: 'b', format: 'text', saveToSentItems: 'on' },
    [],
  )
  assert.ok(parsed.ok)
  return parsed.message
}

const key = (label: string) => `find-sent-${label}-${process.pid}-${Date.now()}`

test('a sent copy carrying the key is found at the first check, with its internetMessageId', async () => {
  const client = await graph('User.Read Mail.Send Mail.ReadWrite')
  const sentKey = key('sent')
  await sendParsedMail(client, mail('sent'), { key: sentKey })
  const found = await findSent(client, sentKey, { checks: 3, settleMs: 10 })
  assert.equal(found.found, 'sent')
  assert.match((found as { internetMessageId: string }).internetMessageId, /^<.+>$/)
})

test('only a draft carries the key → draft (with its id) after every check; another key → none', async () => {
  const client = await graph('User.Read Mail.Send Mail.ReadWrite')
  const draftKey = key('draft')
  const draft = await saveParsedDraft(client, mail('draft'), (message) =>
    withSendKey(message, draftKey),
  )
  assert.deepEqual(await findSent(client, draftKey, { checks: 2, settleMs: 10 }), {
    found: 'draft',
    id: draft.id,
    drafts: [draft.id],
  })
  assert.deepEqual(await findSent(client, key('nothing'), { checks: 2, settleMs: 10 }), {
    found: 'none',
  })
})

test('a token with Mail.Send alone gets 403: unreadable at once; a failed lookup without onLookupError is a check', async () => {
  const sendOnly = await graph('User.Read Mail.Send')
  assert.deepEqual(await findSent(sendOnly, key('x'), { checks: 3, settleMs: 10 }), {
    found: 'unreadable',
  })
  const unreachable = createGraphClient({
    baseUrl: 'http://127.0.0.1:9/v1.0', // the discard port: refused
    token: async () => 'AT',
    timeoutMs: 500,
    retryBudgetMs: 0,
  })
  const failures: number[] = []
  assert.deepEqual(await findSent(unreachable, key('y'), { checks: 2, settleMs: 10 }), {
    found: 'unreadable',
  })
  await assert.rejects(
    findSent(unreachable, key('z'), {
      checks: 2,
      settleMs: 10,
      async onLookupError(error, attempt) {
        failures.push(attempt)
        if (attempt === 3) throw error
      },
    }),
  )
  assert.deepEqual(failures, [1, 2, 3], 'looked again in the same check until told to stop')
})

test('mayFindSent: Mail.Read, Mail.ReadBasic, Mail.ReadWrite (short or URL form, any case); not Mail.Send', () => {
  assert.equal(mayFindSent(['User.Read', 'Mail.Send']), false)
  assert.equal(mayFindSent(undefined), false)
  assert.equal(mayFindSent(['mail.read']), true)
  assert.equal(mayFindSent(['Mail.ReadBasic']), true)
  assert.equal(mayFindSent(['https://graph.microsoft.com/Mail.ReadWrite']), true)
  assert.equal(mayFindSent(['Mail.ReadWrite.Shared']), false)
})
