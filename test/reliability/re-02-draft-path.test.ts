/**
 * RE-02 on the draft path (attachments too large to travel inline: draft, upload session, send): the final
 * POST /me/messages/{id}/send follows sendMail's rules — a lost answer is "outcome unknown", never retried; a failure
 * before the send is "not sent" with the form kept and nothing delivered.
 */
import { after, before, beforeEach, test } from 'node:test'
import assert from 'node:assert/strict'
import type { EmulatorClient, FaultSpec } from '../../src/emulator/index.ts'
import type { Browser } from '../kit/browser.ts'
import { RELIABILITY, startSystem, type AppInstance, type System } from '../kit/system.ts'

let system: System
let emulator: EmulatorClient
let app: AppInstance
let client: Browser
let megan: string
const large = new Uint8Array(3 * 1024 * 1024 + 1000).fill(0x61)

before(async () => {
  system = await startSystem(RELIABILITY)
  emulator = system.client
  app = await system.startApp({
    env: {
      SCOPES: 'openid profile offline_access User.Read Mail.Send Mail.ReadWrite',
      GRAPH_TIMEOUT_MS: '2000',
      GRAPH_RETRY_BUDGET_MS: '3000',
      // RE-02 alone: with Mail.ReadWrite the app would settle a lost answer in Sent Items (RE-04,
      // re-04-sent-check.test.ts); no lookups here, so "outcome unknown" is what the user sees.
      SENT_CHECKS: '0',
    },
  })
  client = app.browser()
  const adele = system.user('adele')
  megan = system.user('megan').userPrincipalName
  await client.signInHome(adele)
})

after(() => system?.close())

beforeEach(() => emulator.clearFaults())

async function sendLarge(label: string, fault?: FaultSpec) {
  const subject = `${label} ${Date.now()}`
  const fields = await client.sendFields({ to: megan, subject, body: 'with a large file' })
  if (fault) await emulator.addFault(fault)
  const mark = await emulator.mark()
  const response = await client.postMultipart('/send', fields, [
    { name: 'large.txt', type: 'text/plain', bytes: large },
  ])
  assert.equal(response.status, 303, response.body.slice(0, 300))
  const page = await client.home()
  const sends = await emulator.journal({
    since: mark,
    method: 'POST',
    path: /^\/v1\.0\/me\/messages\/[^/]+\/send$/,
  })
  const delivered = (await emulator.messages(megan, { folder: 'inbox' })).filter(
    (message) => message.subject === subject,
  ).length
  return { subject, page, sends: sends.length, delivered }
}

test('RE-02 draft path without faults: draft + upload session + one send, delivered once', async () => {
  const result = await sendLarge('RE-02 draft ok')
  assert.equal(result.page.banner?.kind, 'success', result.page.banner?.text)
  assert.equal(result.sends, 1)
  assert.equal(result.delivered, 1)
})

test('RE-02 draft path: send delivered, then 504 → one send, "outcome unknown", delivered once', async () => {
  const result = await sendLarge('RE-02 draft 504', {
    match: { method: 'POST', path: '^/v1\\.0/me/messages/[^/]+/send$' },
    action: { deliverThen: 504 },
  })
  assert.equal(result.page.banner?.kind, 'warning', result.page.banner?.text)
  assert.match(result.page.banner!.text, /Sent Items/)
  assert.equal(result.page.form.subject, result.subject)
  assert.equal(result.sends, 1)
  assert.equal(result.delivered, 1)
})

test('RE-02 draft path: connection reset on the send → one send, "outcome unknown", not delivered', async () => {
  const result = await sendLarge('RE-02 draft reset', {
    match: { method: 'POST', path: '^/v1\\.0/me/messages/[^/]+/send$' },
    action: { reset: true },
  })
  assert.equal(result.page.banner?.kind, 'warning', result.page.banner?.text)
  assert.equal(result.sends, 1)
  assert.equal(result.delivered, 0)
})

test('RE-02 draft path: the upload fails (reset) before the send → "not sent", no send call, nothing delivered, form kept', async () => {
  const result = await sendLarge('RE-02 draft upload', {
    match: { method: 'PUT', path: '^/api/v2\\.0/' },
    count: 5,
    action: { reset: true },
  })
  assert.equal(result.page.banner?.kind, 'error', result.page.banner?.text)
  assert.match(result.page.banner!.text, /wasn't sent/)
  assert.equal(result.page.form.subject, result.subject)
  assert.equal(result.sends, 0)
  assert.equal(result.delivered, 0)
  const drafts = await emulator.messages(system.user('adele').userPrincipalName, {
    folder: 'drafts',
  })
  assert.equal(
    drafts.filter((message) => message.subject === result.subject).length,
    0,
    'the orphan draft was deleted',
  )
})
