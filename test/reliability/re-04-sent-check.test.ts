/**
 * RE-04, black-box on the real emulator: every send carries the form's submission id as its key; when Graph's answer
 * is lost and the user's token may read mail (Mail.ReadWrite here), the app looks the key up (core's findSent) and
 * says "sent" only for a copy found in Sent Items — never sending again; with Mail.Send alone it does not look.
 */
import { after, before, beforeEach, test } from 'node:test'
import assert from 'node:assert/strict'
import type { EmulatorClient, FaultSpec, JournalEntry } from '../../src/emulator/index.ts'
import type { Browser } from '../kit/browser.ts'
import { SEND_MAIL } from '../kit/faults.ts'
import { sendMails, sends } from '../kit/journal.ts'
import { RELIABILITY, startSystem, type System } from '../kit/system.ts'

const READ_WRITE = 'openid profile offline_access User.Read Mail.Send Mail.ReadWrite'
const DRAFT_SEND: FaultSpec['match'] = {
  method: 'POST',
  path: '^/v1\\.0/me/messages/[^/]+/send$',
}
const large = new Uint8Array(3 * 1024 * 1024 + 1000).fill(0x61)
let system: System
let emulator: EmulatorClient
let reader: Browser
let sender: Browser
let adele: string
let megan: string
let count = 0

before(async () => {
  system = await startSystem(RELIABILITY)
  emulator = system.client
  const settings = { GRAPH_TIMEOUT_MS: '2000', GRAPH_RETRY_BUDGET_MS: '3000' }
  const withRead = await system.startApp({ env: { ...settings, SCOPES: READ_WRITE } })
  const sendOnly = await system.startApp({ env: settings }) // the default: User.Read Mail.Send
  adele = system.user('adele').userPrincipalName
  megan = system.user('megan').userPrincipalName
  reader = withRead.browser()
  sender = sendOnly.browser()
  await reader.signInHome(system.user('adele'))
  // Entra's token carries every scope the user consented to for Graph, whatever the app asked: the Mail.Send-only
  // sender is a user who never consented to more.
  await sender.signInHome(system.user('diego'))
})

after(() => system?.close())

beforeEach(() => emulator.clearFaults())

/** The key lookups (GET /me/messages filtered on an extended property) since a mark. */
async function lookups(since: number): Promise<JournalEntry[]> {
  const listed = await emulator.journal({ since, method: 'GET', path: /^\/v1\.0\/me\/messages$/ })
  return listed.filter((entry) =>
    String(entry.query.$filter).includes('singleValueExtendedProperties'),
  )
}

/** Sends one form (with a large attachment: the draft path) under `fault`, and reads what followed. */
async function send(client: Browser, label: string, fault: FaultSpec, attachment?: Uint8Array) {
  const subject = `${label} ${process.pid}-${++count}-${Date.now()}`
  const fields = await client.sendFields({ to: megan, subject, body: 'typed text' })
  await emulator.addFault(fault)
  const mark = await emulator.mark()
  const response = attachment
    ? await client.postMultipart('/send', fields, [
        { name: 'large.txt', type: 'text/plain', bytes: attachment },
      ])
    : await client.post('/send', fields)
  assert.equal(response.status, 303, response.body.slice(0, 300))
  const page = await client.home()
  const inbox = await emulator.messages(megan, { folder: 'inbox' })
  return {
    subject,
    submissionId: fields._form.split('.')[0]!,
    page,
    sends: (await sends(emulator, mark)).length,
    sendMails: (await sendMails(emulator, mark)).length,
    lookups: (await lookups(mark)).length,
    delivered: inbox.filter((message) => message.subject === subject).length,
  }
}

test('RE-04 delivered, then 504, with Mail.ReadWrite → one sendMail, one lookup, "sent, confirmed in Sent Items"; the copy carries the submission id', async () => {
  const result = await send(reader, 'RE-04 found', {
    match: SEND_MAIL,
    action: { deliverThen: 504 },
  })
  assert.equal(result.page.banner?.kind, 'success', result.page.banner?.text)
  assert.match(result.page.banner!.text, /Successfully sent an email to/)
  assert.match(result.page.banner!.text, /Confirmed in Sent Items after Graph's answer was lost/)
  assert.equal(result.sendMails, 1, 'never sent again')
  assert.equal(result.lookups, 1, 'the first lookup found the sent copy')
  assert.equal(result.delivered, 1)
  const copy = (await emulator.messages(adele, { folder: 'sentitems' })).find(
    (message) => message.subject === result.subject,
  )
  const key = copy?.singleValueExtendedProperties.find((property) =>
    property.id.endsWith('Name GraphConnectMergeKey'),
  )?.value
  assert.equal(key, result.submissionId, 'the send key is the form’s one-time submission id')
})

test('RE-04 a 504 that did not deliver, with Mail.ReadWrite → one sendMail, the lookups find nothing, "could not confirm", no resend', async () => {
  const result = await send(reader, 'RE-04 lost', { match: SEND_MAIL, action: { status: 504 } })
  assert.equal(result.page.banner?.kind, 'warning', result.page.banner?.text)
  assert.match(result.page.banner!.text, /could not confirm that the mail was sent/)
  assert.match(result.page.banner!.text, /Sent Items/)
  assert.equal(result.page.form.subject, result.subject, 'the form is kept as typed')
  assert.equal(result.sendMails, 1, 'never sent again')
  assert.ok(result.lookups >= 1 && result.lookups <= 3, `${result.lookups} lookups (SENT_CHECKS=3)`)
  assert.equal(result.delivered, 0)
})

test('RE-04 with Mail.Send alone: delivered, then 504 → "could not confirm" as before, no lookup', async () => {
  const result = await send(sender, 'RE-04 send-only', {
    match: SEND_MAIL,
    action: { deliverThen: 504 },
  })
  assert.equal(result.page.banner?.kind, 'warning', result.page.banner?.text)
  assert.match(result.page.banner!.text, /could not confirm that the mail was sent/)
  assert.doesNotMatch(result.page.banner!.text, /Confirmed in Sent Items/)
  assert.equal(result.sendMails, 1)
  assert.equal(result.lookups, 0, 'a token without Mail.Read does not look')
  assert.equal(result.delivered, 1)
})

test('RE-04 draft path: the send delivered, then 504 → one send, "sent, confirmed in Sent Items"', async () => {
  const result = await send(
    reader,
    'RE-04 draft found',
    { match: DRAFT_SEND, action: { deliverThen: 504 } },
    large,
  )
  assert.equal(result.page.banner?.kind, 'success', result.page.banner?.text)
  assert.match(result.page.banner!.text, /Confirmed in Sent Items/)
  assert.equal(result.sends, 1, 'one draft send, no sendMail, never sent again')
  assert.equal(result.lookups, 1)
  assert.equal(result.delivered, 1)
})

test('RE-04 draft path: a 504 that did not send → only the draft carries the key: "could not confirm", no resend', async () => {
  const result = await send(
    reader,
    'RE-04 draft lost',
    { match: DRAFT_SEND, action: { status: 504 } },
    large,
  )
  assert.equal(result.page.banner?.kind, 'warning', result.page.banner?.text)
  assert.match(result.page.banner!.text, /could not confirm that the mail was sent/)
  assert.equal(result.sends, 1, 'the draft found is not sent again')
  assert.ok(result.lookups >= 1)
  assert.equal(result.delivered, 0)
})
