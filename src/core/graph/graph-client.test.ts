/**
 * createGraphClient against a local server that answers from a script: the requests it sends, the retry policy
 * (RE-01), the errors it raises.
 */
import { after, before, beforeEach, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { GraphError } from '../errors.ts'
import { createGraphClient, type GraphCall } from './graph-client.ts'
import { parseRetryAfter } from './graph-error.ts'

interface Script {
  status?: number
  headers?: Record<string, string>
  body?: string | Buffer
  delayMs?: number
  reset?: boolean
}
interface Seen {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: string
  at: number
}

let server: Server
let baseUrl: string
let script: Script[] = []
let seen: Seen[] = []

before(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      seen.push({
        method: request.method!,
        url: request.url!,
        headers: request.headers,
        body: Buffer.concat(chunks).toString(),
        at: Date.now(),
      })
      const step = script.shift() ?? { status: 200, body: '{}' }
      const reply = () => {
        if (step.reset) {
          request.socket.destroy()
          return
        }
        response.writeHead(step.status ?? 200, {
          'request-id': `req-${seen.length}`,
          ...step.headers,
        })
        response.end(step.body ?? '')
      }
      if (step.delayMs) setTimeout(reply, step.delayMs)
      else reply()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1.0`
})
after(() => {
  server.closeAllConnections()
  server.close()
})
beforeEach(() => {
  script = []
  seen = []
})

const graphError = (code: string, status?: number) => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({
    error: { code, message: `${code} happened`, innerError: { 'request-id': 'inner' } },
  }),
})

function client(overrides: { timeoutMs?: number; retryBudgetMs?: number } = {}) {
  const calls: GraphCall[] = []
  const graph = createGraphClient({
    baseUrl,
    token: async () => 'AT-1',
    timeoutMs: 1000,
    retryBudgetMs: 5000,
    onCall: (call) => calls.push(call),
    ...overrides,
  })
  return { graph, calls }
}

async function rejectsWith(promise: Promise<unknown>, expected: Partial<GraphError>) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof GraphError, String(error))
    for (const [key, value] of Object.entries(expected))
      assert.deepEqual(error[key as keyof GraphError], value, key)
    return true
  })
}

describe('requests', () => {
  test('getMe sends the bearer token, a client-request-id and $select; records request-id, status and duration', async () => {
    script = [{ status: 200, body: JSON.stringify({ id: 'u1', displayName: 'Adele' }) }]
    const { graph, calls } = client()
    assert.deepEqual(await graph.getMe(), { id: 'u1', displayName: 'Adele' })
    assert.equal(seen[0]!.headers.authorization, 'Bearer AT-1')
    assert.match(seen[0]!.headers['client-request-id'] as string, /^[0-9a-f-]{36}$/)
    assert.equal(
      seen[0]!.url,
      '/v1.0/me?$select=id,displayName,mail,userPrincipalName,preferredLanguage',
    )
    assert.equal(calls.length, 1)
    assert.equal(calls[0]!.status, 200)
    assert.equal(calls[0]!.requestId, 'req-1')
    assert.equal(calls[0]!.requestHeaders.authorization, 'Bearer [redacted]')
    assert.ok(calls[0]!.durationMs >= 0)
  })

  test('sendMail posts { message, saveToSentItems } as JSON and accepts an empty 202', async () => {
    script = [{ status: 202 }]
    const { graph } = client()
    await graph.sendMail({ subject: 'Hi' }, false)
    assert.equal(seen[0]!.method, 'POST')
    assert.equal(seen[0]!.url, '/v1.0/me/sendMail')
    assert.equal(seen[0]!.headers['content-type'], 'application/json')
    assert.deepEqual(JSON.parse(seen[0]!.body), {
      message: { subject: 'Hi' },
      saveToSentItems: false,
    })
  })

  test('getMyPhoto returns bytes, or null on 404 ImageNotFound', async () => {
    script = [
      { status: 200, headers: { 'content-type': 'image/png' }, body: Buffer.from([1, 2, 3]) },
      graphError('ImageNotFound', 404),
    ]
    const { graph } = client()
    assert.deepEqual(await graph.getMyPhoto(), {
      contentType: 'image/png',
      bytes: new Uint8Array([1, 2, 3]),
    })
    assert.equal(await graph.getMyPhoto(), null)
  })

  test('uploadRange PUTs bytes with Content-Range and no Authorization; 201 ends the upload', async () => {
    script = [
      { status: 200, body: JSON.stringify({ nextExpectedRanges: ['3-'] }) },
      { status: 201 },
    ]
    const { graph } = client()
    const url = `${baseUrl.replace('/v1.0', '')}/upload/session-1?authtoken=x`
    assert.deepEqual(await graph.uploadRange(url, new Uint8Array([1, 2, 3]), 0, 5), {
      done: false,
      nextExpectedRanges: ['3-'],
    })
    assert.deepEqual(await graph.uploadRange(url, new Uint8Array([4, 5]), 3, 5), {
      done: true,
      nextExpectedRanges: [],
    })
    assert.equal(seen[0]!.headers.authorization, undefined)
    assert.equal(seen[0]!.headers['content-range'], 'bytes 0-2/5')
    assert.equal(seen[1]!.headers['content-range'], 'bytes 3-4/5')
    assert.equal(seen[0]!.method, 'PUT')
  })

  test('draft, attachment, upload session and send use the documented paths', async () => {
    script = [
      { status: 201, body: JSON.stringify({ id: 'm/1' }) },
      { status: 201, body: '{}' },
      { status: 201, body: JSON.stringify({ uploadUrl: 'http://x/u' }) },
      { status: 202 },
    ]
    const { graph } = client()
    const draft = await graph.createDraft({ subject: 's' })
    await graph.addAttachment(draft.id, { name: 'a.txt', contentBytes: 'QQ==' })
    assert.equal(
      (
        await graph.createUploadSession(draft.id, {
          attachmentType: 'file',
          name: 'b.bin',
          size: 4_000_000,
        })
      ).uploadUrl,
      'http://x/u',
    )
    await graph.sendDraft(draft.id)
    assert.deepEqual(
      seen.map((request) => `${request.method} ${request.url}`),
      [
        'POST /v1.0/me/messages',
        'POST /v1.0/me/messages/m%2F1/attachments',
        'POST /v1.0/me/messages/m%2F1/attachments/createUploadSession',
        'POST /v1.0/me/messages/m%2F1/send',
      ],
    )
    assert.equal(JSON.parse(seen[1]!.body)['@odata.type'], '#microsoft.graph.fileAttachment')
    assert.deepEqual(JSON.parse(seen[2]!.body), {
      AttachmentItem: { attachmentType: 'file', name: 'b.bin', size: 4_000_000 },
    })
  })
})

describe('reads retry 429/503/504 (RE-01)', () => {
  test('429 with Retry-After: 1 then 200 → 2 calls, the second at least 1 s later, same client-request-id', async () => {
    script = [
      { ...graphError('TooManyRequests', 429), headers: { 'retry-after': '1' } },
      { status: 200, body: '{"id":"u"}' },
    ]
    const { graph, calls } = client()
    await graph.getMe()
    assert.equal(seen.length, 2)
    assert.ok(seen[1]!.at - seen[0]!.at >= 990)
    assert.equal(seen[0]!.headers['client-request-id'], seen[1]!.headers['client-request-id'])
    assert.deepEqual(
      calls.map((call) => call.status),
      [429, 200],
    )
  })

  test('four 503s → 4 calls (3 retries), then ERR_GRAPH_UNAVAILABLE', async () => {
    script = Array.from({ length: 5 }, () => ({
      ...graphError('ServiceUnavailable', 503),
      headers: { 'retry-after': '0' },
    }))
    const { graph } = client()
    await rejectsWith(graph.getMe(), { code: 'ERR_GRAPH_UNAVAILABLE', httpStatus: 503 })
    assert.equal(seen.length, 4)
  })

  test('Retry-After beyond the remaining budget → fail fast after 1 call with retryAfterSeconds', async () => {
    script = [{ ...graphError('TooManyRequests', 429), headers: { 'retry-after': '3600' } }]
    const { graph } = client()
    const started = Date.now()
    await rejectsWith(graph.getMe(), {
      code: 'ERR_GRAPH_THROTTLED',
      retryAfterSeconds: 3600,
      graphCode: 'TooManyRequests',
      requestId: 'req-1',
    })
    assert.equal(seen.length, 1)
    assert.ok(Date.now() - started < 1000)
  })

  test('a read that times out is retried', async () => {
    script = [
      { status: 200, delayMs: 400, body: '{}' },
      { status: 200, body: '{"id":"u"}' },
    ]
    const { graph } = client({ timeoutMs: 150 })
    assert.deepEqual(await graph.getMe(), { id: 'u' })
    assert.equal(seen.length, 2)
  })

  test('other 4xx are not retried: 403 forbidden, 401 unauthorized, 400 request', async () => {
    script = [
      graphError('ErrorAccessDenied', 403),
      graphError('InvalidAuthenticationToken', 401),
      graphError('BadRequest', 400),
    ]
    const { graph } = client()
    await rejectsWith(graph.getMe(), {
      code: 'ERR_GRAPH_FORBIDDEN',
      graphCode: 'ErrorAccessDenied',
    })
    await rejectsWith(graph.getMe(), { code: 'ERR_GRAPH_UNAUTHORIZED' })
    await rejectsWith(graph.getMe(), { code: 'ERR_GRAPH_REQUEST', graphCode: 'BadRequest' })
    assert.equal(seen.length, 3)
  })
})

describe('sendMail is retried only on 429 (RE-02)', () => {
  test('429 Retry-After: 1 then 202 → 2 sends, success', async () => {
    script = [
      { ...graphError('TooManyRequests', 429), headers: { 'retry-after': '1' } },
      { status: 202 },
    ]
    await client().graph.sendMail({ subject: 's' }, true)
    assert.equal(seen.length, 2)
  })

  test('202 carrying Retry-After is success, sent once', async () => {
    script = [{ status: 202, headers: { 'retry-after': '5' } }]
    await client().graph.sendMail({ subject: 's' }, true)
    assert.equal(seen.length, 1)
  })

  for (const status of [503, 504, 500]) {
    test(`${status} → exactly one send, ERR_GRAPH_OUTCOME_UNKNOWN`, async () => {
      script = [graphError('ServiceUnavailable', status), { status: 202 }]
      await rejectsWith(client().graph.sendMail({ subject: 's' }, true), {
        code: 'ERR_GRAPH_OUTCOME_UNKNOWN',
        outcome: 'unknown',
        httpStatus: status,
      })
      assert.equal(seen.length, 1)
    })
  }

  test('a timeout → exactly one send, outcome unknown', async () => {
    script = [{ status: 202, delayMs: 500 }, { status: 202 }]
    await rejectsWith(client({ timeoutMs: 150 }).graph.sendMail({ subject: 's' }, true), {
      code: 'ERR_GRAPH_OUTCOME_UNKNOWN',
      outcome: 'unknown',
    })
    assert.equal(seen.length, 1)
  })

  test('a connection reset after the body was sent → exactly one send, outcome unknown', async () => {
    script = [{ reset: true }, { status: 202 }]
    await rejectsWith(client().graph.sendMail({ subject: 's' }, true), {
      code: 'ERR_GRAPH_OUTCOME_UNKNOWN',
    })
    assert.equal(seen.length, 1)
  })

  test('a refused connection never reached Graph: failed, not unknown', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as { port: number }).port
    await new Promise((resolve) => closed.close(resolve))
    const graph = createGraphClient({
      baseUrl: `http://127.0.0.1:${port}/v1.0`,
      token: async () => 't',
      timeoutMs: 500,
      retryBudgetMs: 1000,
    })
    await rejectsWith(graph.sendMail({ subject: 's' }, true), {
      code: 'ERR_GRAPH_UNAVAILABLE',
      outcome: 'failed',
    })
  })

  test('400 ErrorInvalidRecipients and 413 are mapped and not retried', async () => {
    script = [
      graphError('ErrorInvalidRecipients', 400),
      { status: 413, body: 'Request Entity Too Large' },
    ]
    const { graph } = client()
    await rejectsWith(graph.sendMail({ subject: 's' }, true), {
      code: 'ERR_GRAPH_INVALID_RECIPIENTS',
      outcome: 'failed',
    })
    await rejectsWith(graph.sendMail({ subject: 's' }, true), { code: 'ERR_GRAPH_TOO_LARGE' })
    assert.equal(seen.length, 2)
  })

  test('a token failure propagates unchanged and nothing is sent', async () => {
    const failure = new Error('no token')
    const graph = createGraphClient({
      baseUrl,
      token: async () => {
        throw failure
      },
      timeoutMs: 500,
      retryBudgetMs: 1000,
    })
    await assert.rejects(graph.sendMail({ subject: 's' }, true), (error) => error === failure)
    assert.equal(seen.length, 0)
  })
})

test('parseRetryAfter reads seconds, fractions and HTTP-dates', () => {
  const now = Date.parse('2025-01-01T00:00:00Z')
  assert.equal(parseRetryAfter('2', now), 2)
  assert.equal(parseRetryAfter('2.128', now), 2.128)
  assert.equal(parseRetryAfter('Wed, 01 Jan 2025 00:00:03 GMT', now), 3)
  assert.equal(parseRetryAfter('Tue, 31 Dec 2024 00:00:00 GMT', now), 0)
  assert.equal(parseRetryAfter(null, now), undefined)
  assert.equal(parseRetryAfter('soon', now), undefined)
})
