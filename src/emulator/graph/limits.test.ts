/**
 * Exchange's limits beyond concurrency and request rate: recipients per rolling day, uploaded bytes per mailbox,
 * $batch items against the concurrency limit (dependsOn chains run one at a time), the 4 MB request cap.
 */
import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import type { Emulator } from '../app.ts'
import { call, seedMail, testEmulator } from '../../../test/kit/emulator-graph.ts'
import type { ThrottleLimits } from './throttle.ts'

const ROOMY: Partial<ThrottleLimits> = { concurrent: 4, sendsPerMinute: 1000 }
const pause = (seconds: number) =>
  new Promise((resolve) => setTimeout(resolve, seconds * 1000 + 50))

describe("Exchange's limits", () => {
  let emulator: Emulator
  let token: string
  before(async () => {
    emulator = await testEmulator({ throttling: ROOMY })
    token = await emulator.client.issueToken({ scp: 'User.Read Mail.ReadWrite Mail.Send' })
  })
  beforeEach(() => emulator.client.reset())
  after(() => emulator.close())

  const sendTo = (count: number, subject: string) => {
    const to = Array.from({ length: count }, (_, index) => `person${index}@example.test`)
    return call(emulator, 'POST', '/v1.0/me/sendMail', token, seedMail(to, subject))
  }

  it('refuses the submission once a mailbox reached its recipients of the rolling window: 202, then an NDR', async () => {
    await emulator.client.configureThrottling({
      ...ROOMY,
      recipientsPerDay: 5,
      recipientWindowSeconds: 1,
    })
    assert.equal((await sendTo(3, 'First')).statusCode, 202)
    assert.equal(
      (await sendTo(3, 'Crosses the line')).statusCode,
      202,
      'the message that crosses it goes',
    )
    const refused = await sendTo(1, 'One too many')
    assert.equal(refused.statusCode, 202, 'Exchange accepts the request and refuses the submission')
    const external = await emulator.client.messages('external')
    assert.deepEqual(external.map((message) => message.subject).sort(), [
      'Crosses the line',
      'First',
    ])
    const sent = await emulator.client.messages('adele@contoso.test', { folder: 'sentitems' })
    assert.ok(!sent.some((message) => message.subject === 'One too many'), 'not in Sent Items')
    const [report] = await emulator.client.messages('adele@contoso.test', { folder: 'inbox' })
    assert.equal(report!.subject, 'Undeliverable: One too many')
    assert.match(String(report!.body.content), /the sender's submission quota was exceeded/)
    assert.match(
      String(report!.body.content),
      /554 5\.2\.0 STOREDRV\.Submission\.Exception:SubmissionQuotaExceededException/,
    )
    await pause(1)
    assert.equal((await sendTo(1, 'A day later')).statusCode, 202)
    assert.equal((await emulator.client.messages('external')).length, 3)
  })

  it('answers 429 IncomingBytes once a mailbox uploaded its budget, upload-session ranges included', async () => {
    await emulator.client.configureThrottling({
      ...ROOMY,
      uploadBytesPer5Min: 8000,
      uploadWindowSeconds: 1,
    })
    const draft = (size: number) =>
      call(emulator, 'POST', '/v1.0/me/messages', token, { subject: 'x'.repeat(size) })
    assert.equal((await draft(5000)).statusCode, 201)
    const id = (await draft(5000)).json().id
    const over = await draft(10)
    assert.equal(over.statusCode, 429)
    assert.deepEqual(
      [over.json().error.code, over.json().error.message],
      ['ApplicationThrottled', 'Application is over its IncomingBytes limit.'],
    )
    const retryAfter = Number(over.headers['retry-after'])
    assert.ok(retryAfter >= 1)
    assert.equal(
      (await call(emulator, 'GET', '/v1.0/me/messages', token)).statusCode,
      200,
      'reads go on',
    )
    await pause(retryAfter)
    const size = 3 * 1024 * 1024
    const session = await call(
      emulator,
      'POST',
      `/v1.0/me/messages/${id}/attachments/createUploadSession`,
      token,
      {
        AttachmentItem: { attachmentType: 'file', name: 'big.bin', size },
      },
    )
    assert.equal(session.statusCode, 201)
    const put = (start: number, end: number) =>
      emulator.fastify.inject({
        method: 'PUT',
        url: new URL(session.json().uploadUrl).pathname + new URL(session.json().uploadUrl).search,
        headers: {
          'content-type': 'application/octet-stream',
          'content-range': `bytes ${start}-${end}/${size}`,
        },
        payload: Buffer.alloc(end - start + 1),
      })
    assert.equal((await put(0, size / 2 - 1)).statusCode, 200)
    const refused = await put(size / 2, size - 1)
    assert.equal(refused.statusCode, 429)
    assert.equal(refused.json().error.message, 'Application is over its IncomingBytes limit.')
  })

  describe('$batch items count against the mailbox concurrency limit', () => {
    const drafts = (count: number, chained = false) => ({
      requests: Array.from({ length: count }, (_, index) => ({
        id: String(index + 1),
        method: 'GET',
        url: '/me/mailFolders/drafts',
        ...(chained && index > 0 ? { dependsOn: [String(index)] } : {}),
      })),
    })
    const statuses = (body: { responses: { id: string; status: number }[] }) =>
      body.responses.sort((a, b) => Number(a.id) - Number(b.id)).map((item) => item.status)
    /** Three slow requests hold three of the mailbox's four slots (a scripted delay holds its slot). */
    async function holdThreeSlots() {
      await emulator.client.configureThrottling(ROOMY)
      const inbox = { method: 'GET', path: '/me/mailFolders/inbox$' }
      await emulator.client.addFault({ match: inbox, count: 3, action: { delayMs: 1000 } })
      const drafts = { method: 'GET', path: '/me/mailFolders/drafts$' }
      await emulator.client.addFault({ match: drafts, count: 5, action: { delayMs: 100 } })
      const holders = [1, 2, 3].map(() =>
        call(emulator, 'GET', '/v1.0/me/mailFolders/inbox', token),
      )
      await pause(0.05)
      return holders
    }

    it('unordered items each take a slot: beside three busy ones, one runs and three get 429', async () => {
      const holders = await holdThreeSlots()
      const batch = await call(emulator, 'POST', '/v1.0/$batch', token, drafts(4))
      assert.equal(batch.statusCode, 200)
      assert.deepEqual(statuses(batch.json()).sort(), [200, 429, 429, 429])
      const throttled = batch
        .json()
        .responses.find((item: { status: number }) => item.status === 429)
      assert.equal(throttled.body.error.code, 'ApplicationThrottled')
      assert.equal(throttled.headers['Retry-After'], '1')
      assert.deepEqual(
        (await Promise.all(holders)).map((held) => held.statusCode),
        [200, 200, 200],
      )
    })

    it('items chained with dependsOn run one at a time: beside three busy slots, all four go through', async () => {
      const holders = await holdThreeSlots()
      const batch = await call(emulator, 'POST', '/v1.0/$batch', token, drafts(4, true))
      assert.deepEqual(statuses(batch.json()), [200, 200, 200, 200])
      await Promise.all(holders)
    })

    it('one batch alone runs at most four items at a time, so it never trips the limit itself', async () => {
      await emulator.client.configureThrottling(ROOMY)
      const slow = { method: 'GET', path: '/me/mailFolders/drafts$' }
      await emulator.client.addFault({ match: slow, count: 10, action: { delayMs: 100 } })
      const batch = await call(emulator, 'POST', '/v1.0/$batch', token, drafts(10))
      assert.deepEqual(statuses(batch.json()), Array(10).fill(200))
    })
  })

  it('answers a body over 4 MB 413 BadRequest, anywhere on Graph; an upload range may be larger', async () => {
    await emulator.client.configureThrottling(ROOMY)
    const huge = { subject: 'x'.repeat(4 * 1024 * 1024) }
    for (const url of ['/v1.0/me/messages', '/v1.0/$batch', '/beta/me/sendMail']) {
      const response = await call(emulator, 'POST', url, token, huge)
      assert.equal(response.statusCode, 413, url)
      assert.deepEqual(
        [response.json().error.code, response.json().error.message],
        ['BadRequest', 'The maximum request length supported is 4MB.'],
      )
    }
    const id = (await call(emulator, 'POST', '/v1.0/me/messages', token, { subject: 'big' })).json()
      .id
    const size = 5 * 1024 * 1024
    const session = await call(
      emulator,
      'POST',
      `/v1.0/me/messages/${id}/attachments/createUploadSession`,
      token,
      {
        AttachmentItem: { attachmentType: 'file', name: 'big.bin', size },
      },
    )
    const upload = new URL(session.json().uploadUrl)
    const whole = await emulator.fastify.inject({
      method: 'PUT',
      url: upload.pathname + upload.search,
      headers: {
        'content-type': 'application/octet-stream',
        'content-range': `bytes 0-${size - 1}/${size}`,
      },
      payload: Buffer.alloc(size),
    })
    assert.equal(whole.statusCode, 201)
  })
})
