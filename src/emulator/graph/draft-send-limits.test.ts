/**
 * What a mail merge meets: sending a draft (`POST …/messages/{id}/send`) counts exactly like sendMail against the send
 * rate and the recipients of the rolling day, on /me and /users/{id}, and the windows take fractions of a second.
 */
import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import type { Emulator } from '../app.ts'
import { call, seedMail, testEmulator } from '../../../test/kit/emulator-graph.ts'
import type { ThrottleLimits } from './throttle.ts'

const ROOMY: Partial<ThrottleLimits> = { concurrent: 4, sendsPerMinute: 1000 }
const pause = (seconds: number) =>
  new Promise((resolve) => setTimeout(resolve, seconds * 1000 + 60))

describe('draft sends against the send and recipient limits', () => {
  let emulator: Emulator
  let delegated: string
  let app: string
  let adele: string
  before(async () => {
    emulator = await testEmulator({ throttling: ROOMY })
    delegated = await emulator.client.issueToken({ scp: 'User.Read Mail.ReadWrite Mail.Send' })
    app = await emulator.client.issueToken({ roles: ['Mail.ReadWrite', 'Mail.Send'] })
    adele = emulator.demo.users[0]!.id
  })
  beforeEach(() => emulator.client.reset())
  after(() => emulator.close())

  /** `/me` with the delegated token, or `/users/{id}` with the app token. */
  const forms = [
    { name: '/me', base: () => '/v1.0/me', token: () => delegated },
    { name: '/users/{id}', base: () => `/v1.0/users/${adele}`, token: () => app },
  ]

  for (const form of forms) {
    const draft = async (recipients: number, subject: string) => {
      const to = Array.from({ length: recipients }, (_, index) => ({
        emailAddress: { address: `person${index}@example.test` },
      }))
      const made = await call(emulator, 'POST', `${form.base()}/messages`, form.token(), {
        subject,
        toRecipients: to,
      })
      assert.equal(made.statusCode, 201, made.body)
      return made.json().id as string
    }
    const sendDraft = async (id: string) =>
      call(emulator, 'POST', `${form.base()}/messages/${id}/send`, form.token())
    const sendMail = (subject: string) =>
      call(
        emulator,
        'POST',
        `${form.base()}/sendMail`,
        form.token(),
        seedMail(['x@example.test'], subject),
      )

    it(`${form.name}: a draft send and sendMail share sendsPerMinute; a 0.5 s window reopens`, async () => {
      await emulator.client.configureThrottling({
        ...ROOMY,
        sendsPerMinute: 2,
        sendWindowSeconds: 0.5,
      })
      const [a, b, c] = [await draft(1, 'a'), await draft(1, 'b'), await draft(1, 'c')]
      assert.equal((await sendMail('first')).statusCode, 202)
      assert.equal((await sendDraft(a)).statusCode, 202)
      const refused = await sendDraft(b)
      assert.equal(refused.statusCode, 429)
      assert.equal(refused.json().error.code, 'TooManyRequests')
      assert.equal(refused.headers['retry-after'], '1')
      assert.equal((await sendMail('refused too')).statusCode, 429)
      await pause(0.5)
      assert.equal((await sendDraft(b)).statusCode, 202)
      assert.equal((await sendDraft(c)).statusCode, 202)
      const sent = await emulator.client.messages(adele, { folder: 'sentitems' })
      assert.deepEqual(sent.map((message) => message.subject).sort(), ['a', 'b', 'c', 'first'])
    })

    it(`${form.name}: a draft's recipients count against the rolling day; refused, it stays in Drafts`, async () => {
      await emulator.client.configureThrottling({
        ...ROOMY,
        recipientsPerDay: 3,
        recipientWindowSeconds: 0.5,
      })
      const [two, one, later] = [
        await draft(2, 'two'),
        await draft(1, 'one'),
        await draft(1, 'later'),
      ]
      assert.equal((await sendDraft(two)).statusCode, 202)
      assert.equal((await sendMail('crosses')).statusCode, 202, 'reaches the limit (2 + 1)')
      assert.equal((await sendDraft(one)).statusCode, 202, 'accepted, submission refused')
      const drafts = await emulator.client.messages(adele, { folder: 'drafts' })
      assert.deepEqual(drafts.map((message) => message.subject).sort(), ['later', 'one'])
      const [report] = await emulator.client.messages(adele, { folder: 'inbox' })
      assert.equal(report!.subject, 'Undeliverable: one')
      await pause(0.5)
      assert.equal((await sendDraft(later)).statusCode, 202)
      const outbox = await emulator.client.messages('external')
      assert.deepEqual(outbox.map((message) => message.subject).sort(), ['crosses', 'later', 'two'])
    })
  }

  it('requestWindowSeconds takes fractions too', async () => {
    await emulator.client.configureThrottling({
      ...ROOMY,
      requestsPer10Min: 2,
      requestWindowSeconds: 0.5,
    })
    const list = () => call(emulator, 'GET', '/v1.0/me/messages', delegated)
    assert.deepEqual([(await list()).statusCode, (await list()).statusCode], [200, 200])
    assert.equal((await list()).statusCode, 429)
    await pause(0.5)
    assert.equal((await list()).statusCode, 200)
    const limits = await emulator.client.throttling()
    assert.equal(limits && limits.requestWindowSeconds, 0.5)
  })
})
