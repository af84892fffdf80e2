// RE-02 on the draft path (attachments too large to travel inline: draft, upload session, send): the final
// POST /me/messages/{id}/send follows sendMail's rules — a lost answer is "outcome unknown", never retried; a failure
// before the send is "not sent" with the form kept and nothing delivered.
import { after, before, beforeEach, test } from 'node:test'
import assert from 'node:assert/strict'
import { AppClient } from '../kit/app-client.ts'
import {
  startApp,
  startEmulator,
  type AppHandle,
  type EmulatorHandle,
  type FaultSpec,
} from '../kit/reliability-system.ts'

let emulator: EmulatorHandle
let app: AppHandle
let client: AppClient
let megan: string
const large = new Uint8Array(3 * 1024 * 1024 + 1000).fill(0x61)

before(async () => {
  emulator = await startEmulator()
  app = await startApp(emulator, {
    env: {
      SCOPES: 'openid profile offline_access User.Read Mail.Send Mail.ReadWrite',
      GRAPH_TIMEOUT_MS: '2000',
      GRAPH_RETRY_BUDGET_MS: '3000',
    },
  })
  client = new AppClient(app.url)
  const adele = emulator.emulator.demo.users.find((user) =>
    user.userPrincipalName.startsWith('adele'),
  )!
  megan = emulator.emulator.demo.users.find((user) =>
    user.userPrincipalName.startsWith('megan'),
  )!.userPrincipalName
  await client.signIn(emulator, adele)
})

after(async () => {
  await app?.close()
  await emulator?.close()
})

beforeEach(() => emulator.clearFaults())

async function sendLarge(label: string, fault?: FaultSpec) {
  const subject = `${label} ${Date.now()}`
  const fields = await client.sendFields({ to: megan, subject, body: 'with a large file' })
  if (fault) await emulator.fault(fault)
  const mark = await emulator.mark()
  const response = await client.postMultipart('/send', fields, [
    { name: 'large.txt', type: 'text/plain', bytes: large },
  ])
  assert.equal(response.status, 303, response.body.slice(0, 300))
  const page = await client.home()
  const sends = await emulator.journal(mark, {
    method: 'POST',
    path: '^/v1\\.0/me/messages/[^/]+/send$',
  })
  const delivered = (await emulator.messages(megan)).filter(
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
  const drafts = await emulator.messages(
    emulator.emulator.demo.users.find((user) => user.userPrincipalName.startsWith('adele'))!
      .userPrincipalName,
    'drafts',
  )
  assert.equal(
    drafts.filter((message) => message.subject === result.subject).length,
    0,
    'the orphan draft was deleted',
  )
})
