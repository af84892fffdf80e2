/**
 * RE-02 and RE-03, black-box: sendMail is retried only on 429; after 503/504, a timeout, a reset or "deliver then 504"
 * the journal shows one sendMail, the mail is delivered at most once and the user is told to check Sent Items; double
 * and concurrent submits of one form send once and all answer 303 to the same result.
 */
import { after, before, beforeEach, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { DemoUser, EmulatorClient, FaultAction } from '../../src/emulator/index.ts'
import type { Browser } from '../kit/browser.ts'
import { SEND_MAIL } from '../kit/faults.ts'
import { sendMails } from '../kit/journal.ts'
import { RELIABILITY, startSystem, type AppInstance, type System } from '../kit/system.ts'

const timeoutMs = 400
let system: System
let emulator: EmulatorClient
let app: AppInstance
let client: Browser
let adele: DemoUser
let megan: DemoUser
let subjectCount = 0
const subject = (label: string) => `${label} ${process.pid}-${++subjectCount}-${Date.now()}`

before(async () => {
  system = await startSystem(RELIABILITY)
  emulator = system.client
  app = await system.startApp({
    env: { GRAPH_TIMEOUT_MS: String(timeoutMs), GRAPH_RETRY_BUDGET_MS: '4000' },
  })
  adele = system.user('adele')
  megan = system.user('megan')
  client = app.browser()
  await client.signInHome(adele)
})

after(() => system?.close())

beforeEach(async () => {
  await emulator.clearFaults()
})

async function deliveredTo(upn: string, wanted: string): Promise<number> {
  return (await emulator.messages(upn, { folder: 'inbox' })).filter(
    (message) => message.subject === wanted,
  ).length
}

async function sendMailCount(since: number): Promise<number> {
  return (await sendMails(emulator, since)).length
}

describe('RE-02 sendMail is retried only on 429 and never duplicated', () => {
  test('RE-02 (a) 429 Retry-After: 1, then 202 → two sendMail, one delivery, "sent"', async () => {
    const wanted = subject('RE-02a')
    const mark = await emulator.mark()
    await emulator.addFault({
      match: SEND_MAIL,
      count: 1,
      action: { status: 429, retryAfter: 1 },
    })
    const started = Date.now()
    const { response, page } = await client.sendFromPage({
      to: megan.userPrincipalName,
      subject: wanted,
      body: 'a',
    })
    assert.equal(response.status, 303)
    assert.equal(page.banner?.kind, 'success', page.banner?.text)
    assert.match(page.banner!.text, /Successfully sent an email to/)
    assert.ok(Date.now() - started >= 1000, 'the retry waited for Retry-After')
    assert.equal(await sendMailCount(mark), 2)
    assert.equal(await deliveredTo(megan.userPrincipalName, wanted), 1)
  })

  test('RE-02 (b) 202 with Retry-After: 5 is success → one sendMail', async () => {
    const wanted = subject('RE-02b')
    const mark = await emulator.mark()
    await emulator.addFault({
      match: SEND_MAIL,
      action: { deliverThen: 202, retryAfter: 5 },
    })
    const { page } = await client.sendFromPage({
      to: megan.userPrincipalName,
      subject: wanted,
      body: 'b',
    })
    assert.equal(page.banner?.kind, 'success', page.banner?.text)
    assert.equal(await sendMailCount(mark), 1)
    assert.equal(await deliveredTo(megan.userPrincipalName, wanted), 1)
  })

  const ambiguous: { name: string; action: FaultAction; delivered: 0 | 1 }[] = [
    { name: '(c) delivered, then 504', action: { deliverThen: 504 }, delivered: 1 },
    { name: '(c) delivered, then 503', action: { deliverThen: 503 }, delivered: 1 },
    {
      name: '(d) delayed past GRAPH_TIMEOUT_MS (delivered late)',
      action: { delayMs: timeoutMs + 400 },
      delivered: 1,
    },
    { name: '(e) connection reset before delivery', action: { reset: true }, delivered: 0 },
    { name: '(f) 503 without delivery', action: { status: 503 }, delivered: 0 },
    { name: '(f) 504 without delivery', action: { status: 504 }, delivered: 0 },
  ]
  for (const { name, action, delivered } of ambiguous) {
    test(`RE-02 ${name} → exactly one sendMail, delivered at most once, "outcome unknown" + Sent Items, form kept`, async () => {
      const wanted = subject('RE-02')
      const mark = await emulator.mark()
      await emulator.addFault({ match: SEND_MAIL, action })
      const { response, page } = await client.sendFromPage({
        to: megan.userPrincipalName,
        subject: wanted,
        body: 'typed text',
      })
      assert.equal(response.status, 303)
      assert.equal(page.banner?.kind, 'warning', page.banner?.text)
      assert.match(page.banner!.text, /could not confirm that the mail was sent/)
      assert.match(page.banner!.text, /Sent Items/)
      assert.equal(page.form.subject, wanted, 'the form is kept as typed')
      assert.equal(page.form.body, 'typed text')
      await new Promise((resolve) => setTimeout(resolve, 500)) // a delayed delivery lands after the timeout
      assert.equal(await sendMailCount(mark), 1, 'exactly one sendMail in the journal')
      assert.equal(await deliveredTo(megan.userPrincipalName, wanted), delivered)
    })
  }

  test('RE-02 429 beyond the budget (Retry-After: 3600) → one sendMail, reported failed, nothing delivered', async () => {
    const wanted = subject('RE-02g')
    const mark = await emulator.mark()
    await emulator.addFault({
      match: SEND_MAIL,
      action: { status: 429, retryAfter: 3600 },
    })
    const started = Date.now()
    const { page } = await client.sendFromPage({
      to: megan.userPrincipalName,
      subject: wanted,
      body: 'g',
    })
    assert.ok(Date.now() - started < 3000, 'fails fast (no wait for Retry-After or the 4 s budget)')
    assert.equal(page.banner?.kind, 'error', page.banner?.text)
    assert.match(page.banner!.text, /wasn't sent/)
    assert.equal(page.form.subject, wanted)
    assert.equal(await sendMailCount(mark), 1)
    assert.equal(await deliveredTo(megan.userPrincipalName, wanted), 0)
  })
})

describe('RE-03 one form, one send', () => {
  test('RE-03 five concurrent submits of one form → one sendMail, all 303 to one result', async () => {
    const wanted = subject('RE-03 concurrent')
    const fields = await client.sendFields({
      to: megan.userPrincipalName,
      subject: wanted,
      body: 'once',
    })
    const mark = await emulator.mark()
    await emulator.addFault({
      match: SEND_MAIL,
      action: { delayMs: 200 },
    })
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => client.post('/send', fields)),
    )
    assert.deepEqual(
      responses.map((response) => response.status),
      [303, 303, 303, 303, 303],
    )
    assert.deepEqual(
      new Set(responses.map((response) => response.headers.get('location'))),
      new Set(['/']),
    )
    const page = await client.home()
    assert.equal(page.banner?.kind, 'success', page.banner?.text)
    assert.equal(await sendMailCount(mark), 1)
    assert.equal(await deliveredTo(megan.userPrincipalName, wanted), 1)
  })

  test('RE-03 a double submit after the first finished → one sendMail, the same result; a reload sends nothing', async () => {
    const wanted = subject('RE-03 double')
    const fields = await client.sendFields({
      to: megan.userPrincipalName,
      subject: wanted,
      body: 'once',
    })
    const mark = await emulator.mark()
    const first = await client.post('/send', fields)
    const firstPage = await client.home()
    const second = await client.post('/send', fields)
    const secondPage = await client.home()
    assert.equal(first.status, 303)
    assert.equal(second.status, 303)
    assert.equal(first.headers.get('location'), second.headers.get('location'))
    assert.equal(firstPage.banner?.kind, 'success')
    assert.deepEqual(
      secondPage.banner,
      firstPage.banner,
      'the second submit shows the first one’s result',
    )
    await client.home() // reload the result page
    assert.equal(await sendMailCount(mark), 1)
    assert.equal(await deliveredTo(megan.userPrincipalName, wanted), 1)
  })

  test('RE-03 two different forms → two sends', async () => {
    const mark = await emulator.mark()
    const one = await client.sendFromPage({
      to: megan.userPrincipalName,
      subject: subject('RE-03 one'),
      body: '1',
    })
    const two = await client.sendFromPage({
      to: megan.userPrincipalName,
      subject: subject('RE-03 two'),
      body: '2',
    })
    assert.equal(one.page.banner?.kind, 'success')
    assert.equal(two.page.banner?.kind, 'success')
    assert.equal(await sendMailCount(mark), 2)
  })
})
