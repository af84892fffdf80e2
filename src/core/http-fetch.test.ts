/**
 * createHttpFetch against a local server: what goes out, what comes back, kept-alive sockets, the platform
 * fetch's failures.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createHttpFetch } from './http-fetch.ts'

interface Seen {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: Buffer
  remotePort: number
}

let server: Server
let base: string
const seen: Seen[] = []
const httpFetch = createHttpFetch()

before(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const body = Buffer.concat(chunks)
      seen.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body,
        remotePort: request.socket.remotePort ?? 0,
      })
      const path = new URL(request.url ?? '/', 'http://x').pathname
      if (path === '/slow') return void setTimeout(() => response.end('late'), 2000)
      if (path === '/empty') return void response.writeHead(204, { 'request-id': 'r-204' }).end()
      if (path === '/echo')
        return void response
          .writeHead(200, { 'content-type': 'application/octet-stream' })
          .end(body)
      if (path === '/moved') return void response.writeHead(302, { location: '/echo' }).end()
      response.setHeader('set-cookie', ['a=1; Path=/', 'b=2; Path=/'])
      response
        .writeHead(202, 'Accepted', { 'request-id': 'r-1', 'content-type': 'application/json' })
        .end(JSON.stringify({ ok: true, path }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
after(() => {
  server.closeAllConnections()
  server.close()
})

test('a JSON POST goes out with its method, path, headers and body, and comes back as a Response', async () => {
  seen.length = 0
  const body = JSON.stringify({ message: { subject: 'Bonjour Adèle' } })
  const response = await httpFetch(`${base}/v1.0/me/sendMail?x=1`, {
    method: 'POST',
    headers: {
      Authorization: 'Bearer t',
      'content-type': 'application/json',
      'client-request-id': 'c-1',
    },
    body,
    redirect: 'manual',
  })
  assert.ok(response instanceof Response)
  assert.equal(response.status, 202)
  assert.equal(response.statusText, 'Accepted')
  assert.equal(response.headers.get('request-id'), 'r-1')
  assert.deepEqual(response.headers.getSetCookie(), ['a=1; Path=/', 'b=2; Path=/'])
  assert.deepEqual(await response.json(), { ok: true, path: '/v1.0/me/sendMail' })
  const [request] = seen
  assert.equal(request?.method, 'POST')
  assert.equal(request?.url, '/v1.0/me/sendMail?x=1')
  assert.equal(request?.headers.authorization, 'Bearer t')
  assert.equal(request?.headers['client-request-id'], 'c-1')
  assert.equal(request?.headers['content-type'], 'application/json')
  assert.equal(request?.headers['content-length'], String(Buffer.byteLength(body)))
  assert.equal(request?.body.toString('utf8'), body)
})

test('the same calls give what the platform fetch gives: status, body, the headers that matter, null bodies', async () => {
  const calls: [string, RequestInit][] = [
    [
      `${base}/token`,
      {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'authorization_code', code: 'x y' }),
        redirect: 'manual',
      },
    ],
    [`${base}/empty`, { method: 'DELETE', redirect: 'manual' }],
    [`${base}/moved`, { redirect: 'manual' }],
    [
      `${base}/echo`,
      {
        method: 'PUT',
        body: new Uint8Array([0, 1, 2, 255]),
        headers: [['Content-Range', 'bytes 0-3/4']],
        redirect: 'manual',
      },
    ],
  ]
  for (const [url, init] of calls) {
    seen.length = 0
    const ours = await httpFetch(url, init)
    const oursSeen = seen.splice(0)
    const platform = await fetch(url, init)
    const platformSeen = seen.splice(0)
    assert.equal(ours.status, platform.status, url)
    assert.equal(ours.body === null, platform.body === null, `${url}: null body`)
    assert.deepEqual(
      Buffer.from(await ours.arrayBuffer()),
      Buffer.from(await platform.arrayBuffer()),
      url,
    )
    for (const name of ['location', 'request-id', 'content-type'])
      assert.equal(ours.headers.get(name), platform.headers.get(name), `${url}: ${name}`)
    assert.deepEqual(oursSeen[0]?.body, platformSeen[0]?.body, `${url}: request body`)
    for (const name of ['content-type', 'content-length', 'content-range', 'accept']) {
      assert.equal(
        oursSeen[0]?.headers[name],
        platformSeen[0]?.headers[name],
        `${url}: request ${name}`,
      )
    }
  }
})

test('sockets are kept alive between calls', async () => {
  seen.length = 0
  await (await httpFetch(`${base}/a`, { redirect: 'manual' })).text()
  await (await httpFetch(`${base}/b`, { redirect: 'manual' })).text()
  assert.equal(seen.length, 2)
  assert.equal(seen[0]?.remotePort, seen[1]?.remotePort)
})

test('failures are the platform fetch’s: the signal’s reason on a timeout, TypeError with the socket error otherwise', async () => {
  await assert.rejects(
    httpFetch(`${base}/slow`, { redirect: 'manual', signal: AbortSignal.timeout(50) }),
    { name: 'TimeoutError' },
  )
  const closed = createServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
  const port = (closed.address() as AddressInfo).port
  await new Promise<void>((resolve) => closed.close(() => resolve()))
  await assert.rejects(
    httpFetch(`http://127.0.0.1:${port}/`, { redirect: 'manual' }),
    (error: unknown) => {
      assert.ok(error instanceof TypeError)
      assert.equal(error.message, 'fetch failed')
      assert.equal((error.cause as { code?: string }).code, 'ECONNREFUSED')
      return true
    },
  )
  const aborted = new AbortController()
  aborted.abort(new Error('gone'))
  await assert.rejects(
    httpFetch(`${base}/a`, { redirect: 'manual', signal: aborted.signal }),
    /gone/,
  )
})

test('what it does not handle goes to the platform fetch unchanged: redirects to follow, stream bodies', async () => {
  const delegated: unknown[][] = []
  const platform = (async (...args: Parameters<typeof fetch>) => {
    delegated.push(args)
    return new Response('from the platform')
  }) as typeof fetch
  const withPlatform = createHttpFetch(platform)
  assert.equal(await (await withPlatform(`${base}/moved`)).text(), 'from the platform')
  const stream = new ReadableStream({ start: (controller) => controller.close() })
  assert.equal(
    await (
      await withPlatform(`${base}/echo`, { method: 'POST', body: stream, redirect: 'manual' })
    ).text(),
    'from the platform',
  )
  assert.equal(delegated.length, 2)
  assert.equal(
    await (
      await withPlatform(`${base}/a`, { redirect: 'manual' })
    )
      .json()
      .then((body) => (body as { path: string }).path),
    '/a',
  )
  assert.equal(delegated.length, 2, 'a manual-redirect call with a plain body is not delegated')
})
