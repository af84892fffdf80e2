/** The control API through EmulatorClient over HTTP: journal, faults, reset, throttling, mailboxes, loopback only. */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, beforeEach, describe, it } from 'node:test'
import type { Emulator } from '../app.ts'
import { EmulatorClient, EmulatorControlError } from '../client.ts'
import type { FaultSpec } from './faults.ts'
import { call, seedMail, testEmulator } from '../../../test/kit/emulator-graph.ts'

describe('control API: journal, faults, reset', () => {
  let emulator: Emulator
  /** Over HTTP, as another project's tests would drive it. */
  let client: EmulatorClient
  let token: string
  before(async () => {
    emulator = await testEmulator()
    await emulator.listen({ port: 0, host: '127.0.0.1' })
    client = new EmulatorClient(emulator.url)
    token = await client.issueToken()
  })
  beforeEach(() => client.reset())
  after(() => emulator.close())

  const fault = (spec: FaultSpec) => client.addFault(spec)
  /** The code of the control API's answer to a call that must fail. */
  const refused = (attempt: Promise<unknown>) =>
    attempt.then(
      () => assert.fail('expected the control API to refuse'),
      (error: unknown) => {
        assert.ok(error instanceof EmulatorControlError)
        return { status: error.status, code: error.code }
      },
    )
  const send = (subject = 'Hello') =>
    fetch(`${emulator.url}/v1.0/me/sendMail`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(seedMail(['lea@contoso.test'], subject)),
    })

  it('journals every request with method, path, query, headers, body and status, readable since a mark', async () => {
    await send('before')
    const mark = await client.mark()
    await send('after')
    await fetch(`${emulator.url}/v1.0/me?$select=displayName`, {
      headers: { authorization: `Bearer ${token}` },
    })
    await fetch(`${emulator.url}/common/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=password&username=x',
    })
    const entries = await client.journal({ since: mark })
    assert.deepEqual(
      entries.map((entry) => `${entry.method} ${entry.path}`),
      ['POST /v1.0/me/sendMail', 'GET /v1.0/me', 'POST /common/oauth2/v2.0/token'],
    )
    const [sent, me, tokenRequest] = entries
    assert.equal(sent!.status, 202)
    assert.equal((sent!.body as { Message: { Subject: string } }).Message.Subject, 'after')
    assert.match(String(sent!.headers.authorization), /^Bearer /)
    assert.deepEqual(me!.query, { $select: 'displayName' })
    assert.equal(
      (tokenRequest!.body as { grant_type: string }).grant_type,
      'password',
      'forms are parsed',
    )
    const { next } = (await (
      await fetch(`${emulator.url}/_emulator/journal?since=${mark}`)
    ).json()) as {
      next: number
    }
    assert.ok(next >= tokenRequest!.seq)
    const filtered = await client.journal({ method: 'GET' })
    assert.equal(filtered.length, 1)
  })

  it("answers the next N matching requests with a status, Retry-After and Graph's envelope, then lets them through", async () => {
    const created = await fault({
      match: { method: 'POST', path: '/me/sendMail$' },
      count: 2,
      action: { status: 429, retryAfter: 2 },
    })
    assert.equal(created.remaining, 2)
    for (let index = 0; index < 2; index++) {
      const response = await send()
      assert.equal(response.status, 429)
      assert.equal(response.headers.get('retry-after'), '2')
      assert.ok(response.headers.get('request-id'))
      const { error } = await response.json()
      assert.equal(error.code, 'TooManyRequests')
      assert.equal(error.innerError['request-id'], response.headers.get('request-id'))
    }
    assert.equal((await send()).status, 202)
    assert.equal(
      (await client.messages('lea@contoso.test', { folder: 'inbox' })).length,
      1,
      'faulted sends delivered nothing',
    )
  })

  it('answers identity paths in the OAuth JSON shape, and uses a given body verbatim', async () => {
    await fault({ match: { path: '/oauth2/v2.0/token$' }, action: { status: 503, retryAfter: 30 } })
    const response = await fetch(`${emulator.url}/common/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    })
    assert.equal(response.status, 503)
    assert.equal(response.headers.get('retry-after'), '30')
    const body = await response.json()
    assert.equal(body.error, 'temporarily_unavailable')
    assert.match(body.error_description, /^AADSTS\d+: /)
    assert.ok(
      Array.isArray(body.error_codes) && body.trace_id && body.correlation_id && body.timestamp,
    )
    const custom = {
      error: 'invalid_grant',
      error_description: 'AADSTS700082: The refresh token has expired.',
      error_codes: [700082],
    }
    await fault({ match: { path: '/token$' }, action: { status: 400, body: custom } })
    const second = await fetch(`${emulator.url}/common/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'refresh_token' }),
    })
    assert.deepEqual(await second.json(), custom)
  })

  it('delays a request', async () => {
    await fault({ match: { path: '/v1.0/me$' }, action: { delayMs: 300 } })
    const started = Date.now()
    const response = await fetch(`${emulator.url}/v1.0/me`, {
      headers: { authorization: `Bearer ${token}` },
    })
    assert.equal(response.status, 200)
    assert.ok(Date.now() - started >= 290)
  })

  it('"deliver then 504": the mail is really delivered, the answer is 504', async () => {
    await fault({ match: { method: 'POST', path: 'sendMail' }, action: { deliverThen: 504 } })
    const response = await send('Delivered anyway')
    assert.equal(response.status, 504)
    assert.equal((await response.json()).error.code, 'GatewayTimeout')
    const [received] = await client.messages('lea@contoso.test', { folder: 'inbox' })
    assert.equal(received!.subject, 'Delivered anyway')
    const last = (await client.journal()).at(-1)!
    assert.equal(last.status, 504)
    assert.match(last.fault!, /^deliverThen 504/)
  })

  it('resets the connection', async () => {
    await fault({ match: { path: 'sendMail' }, action: { reset: true } })
    await assert.rejects(send(), (error: Error & { cause?: { code?: string } }) => {
      assert.equal(error.name, 'TypeError')
      assert.match(
        String(error.cause?.code ?? error.cause),
        /ECONNRESET|UND_ERR_SOCKET|other side closed/,
      )
      return true
    })
    assert.equal((await send()).status, 202, 'the next request goes through')
  })

  it('lists and clears faults, and validates them', async () => {
    await fault({ match: { path: 'x' }, count: 3, action: { status: 500 } })
    assert.equal((await client.listFaults())[0]!.remaining, 3)
    await client.clearFaults()
    assert.deepEqual(await client.listFaults(), [])
    const invalid = { status: 400, code: 'InvalidFault' }
    assert.deepEqual(
      await refused(fault({ match: { path: '(' }, action: { status: 500 } })),
      invalid,
    )
    assert.deepEqual(await refused(fault({ match: { path: 'x' }, action: {} })), invalid)
    assert.deepEqual(
      await refused(fault({ match: { path: 'x' }, action: { status: 42 } })),
      invalid,
    )
  })

  it('reset clears mailboxes, journal and faults', async () => {
    await send()
    await fault({ match: { path: 'x' }, action: { status: 500 } })
    const reset = await fetch(`${emulator.url}/_emulator/reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
    assert.equal(reset.status, 204)
    assert.deepEqual(await client.messages('lea@contoso.test'), [])
    assert.deepEqual(await client.listFaults(), [])
    assert.equal(await client.mark(), 0)
  })

  it('switches throttling at run time', async () => {
    const limits = await client.configureThrottling({ concurrent: 2 })
    assert.equal(limits && limits.concurrent, 2)
    assert.equal(await client.configureThrottling(false), false)
    assert.equal(await client.throttling(), false)
  })

  it('answers GET /_emulator/health with 200 {"status":"ok"}, to loopback clients', async () => {
    const health = await fetch(`${emulator.url}/_emulator/health`)
    assert.equal(health.status, 200)
    assert.match(String(health.headers.get('content-type')), /^application\/json/)
    assert.equal(health.headers.get('cache-control'), 'no-store')
    assert.deepEqual(await health.json(), { status: 'ok' })
    const remote = await emulator.fastify.inject({
      url: '/_emulator/health',
      remoteAddress: '10.1.2.3',
    })
    assert.equal(remote.statusCode, 403)
  })

  it('refuses clients that are not on loopback', async () => {
    const response = await emulator.fastify.inject({
      url: '/_emulator/journal',
      remoteAddress: '10.1.2.3',
    })
    assert.equal(response.statusCode, 403)
    assert.deepEqual(response.json(), {
      error: { code: 'Forbidden', message: 'The control API answers loopback clients only.' },
    })
  })

  it('refuses a non-loopback client whatever the encoding of the path', async () => {
    for (const url of ['/%5Femulator/journal', '/%5femulator/journal', '/_emulator/%6Aournal']) {
      const response = await emulator.fastify.inject({ url, remoteAddress: '10.1.2.3' })
      assert.equal(response.statusCode, 403, url)
      assert.equal(response.json().entries, undefined, `${url} must not answer the journal`)
    }
    const local = await emulator.fastify.inject({ url: '/%5Femulator/journal' })
    assert.equal(local.statusCode, 200, 'the same path answers a loopback client')
    assert.ok(Array.isArray(local.json().entries))
  })

  it('lists mailboxes with folder counts', async () => {
    await send()
    const mailboxes = await client.mailboxes()
    const lea = mailboxes.find((entry) => entry.userPrincipalName === 'lea@contoso.test')!
    assert.deepEqual(lea.folders.inbox, { total: 1, unread: 1 })
    assert.equal(mailboxes.at(-1)!.id, 'external')
    assert.deepEqual(await refused(client.messages('lea@contoso.test', { folder: 'nope' })), {
      status: 400,
      code: 'InvalidFolder',
    })
    assert.deepEqual(await refused(client.messages('nobody')), {
      status: 404,
      code: 'MailboxNotFound',
    })
  })
})

describe('persistence', () => {
  it('keeps mailboxes across a rebuild with the same dataDir', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'emulator-graph-'))
    try {
      const first = await testEmulator({ dataDir })
      const response = await call(
        first,
        'POST',
        '/v1.0/me/sendMail',
        await first.client.issueToken(),
        seedMail(['lea@contoso.test'], 'Persisted'),
      )
      assert.equal(response.statusCode, 202)
      await first.close()
      const second = await testEmulator({ dataDir })
      const [received] = await second.client.messages('lea@contoso.test', { folder: 'inbox' })
      assert.equal(received!.subject, 'Persisted')
      const token = await second.client.issueToken({ user: 'lea@contoso.test', scp: 'Mail.Read' })
      assert.equal((await call(second, 'GET', '/v1.0/me/messages', token)).json().value.length, 1)
      await second.close()
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
