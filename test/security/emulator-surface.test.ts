/**
 * The emulator's network surface, black-box over real sockets (SE-15, SE-16, SE-17, SE-18, SE-22): any page the
 * developer opens can reach the emulator on loopback, so it answers only its own names, takes control changes only
 * as JSON from its own origin, never runs a caller's pattern with backtracking, and listens beyond loopback only
 * when told.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { request as httpRequest, createServer, type Server } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import { networkInterfaces } from 'node:os'
import { buildEmulator, type Emulator } from '../../src/emulator/index.ts'
import { launchChromium } from '../kit/chromium.ts'
import { FULL_SCOPE, obtainCode, postToken, redeem, secretAuth } from '../kit/emulator-flows.ts'
import { freePort } from '../kit/free-port.ts'

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

interface RawOptions {
  method?: string
  headers?: Record<string, string>
  body?: string
}

/** One request as written, over a socket to `host:port`: Host, Origin and the path's encoding as the test says. */
function raw(host: string, port: number, path: string, options: RawOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host,
        port,
        path,
        method: options.method ?? 'GET',
        headers: options.headers,
        signal: AbortSignal.timeout(10_000),
      },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        )
      },
    )
    request.on('error', reject)
    request.end(options.body)
  })
}

/** An HTTP/1.0 request without a Host header (HTTP/1.1 requires one; Node itself refuses it there). */
async function withoutHost(port: number, path: string): Promise<string> {
  const socket = connect({ host: '127.0.0.1', port })
  await once(socket, 'connect')
  socket.end(`GET ${path} HTTP/1.0\r\nAccept: */*\r\n\r\n`)
  const chunks: Buffer[] = []
  for await (const chunk of socket) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString()
}

/** 'connected', or the error code of a TCP connection to 127.0.0.1:port. */
function connectOutcome(port: number): Promise<string> {
  const socket = connect({ host: '127.0.0.1', port })
  return new Promise<string>((resolve) => {
    socket.on('connect', () => resolve('connected'))
    socket.on('error', (error: Error & { code?: string }) => resolve(error.code ?? error.message))
  }).finally(() => socket.destroy())
}

const portOf = (emulator: Emulator) => (emulator.fastify.server.address() as AddressInfo).port

/** A user name that appears in the directory (every user has a mailbox in the control API's list). */
async function userExists(emulator: Emulator, upn: string): Promise<boolean> {
  return (await emulator.client.mailboxes()).some((box) => box.userPrincipalName === upn)
}

/** An IPv4 address of this machine beyond loopback; undefined where only `lo` exists (e.g. `unshare --net`). */
function machineAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry?.family === 'IPv4' && !entry.internal)?.address
}

describe('SE-16 / SE-17 an emulator listening on localhost', () => {
  let emulator: Emulator
  let port: number
  before(async () => {
    emulator = await buildEmulator({ logger: false, throttling: false })
    await emulator.listen({ port: 0, host: 'localhost' })
    port = portOf(emulator)
  })
  after(() => emulator?.close())

  const ask = (path: string, options: RawOptions = {}) => raw('127.0.0.1', port, path, options)

  test('SE-16 a request for a name the emulator does not serve gets 421 before any route runs', async () => {
    const token = await emulator.client.issueToken()
    const marker = `SE16-${crypto.randomUUID()}`
    assert.equal((await ask(`/v1.0/me?marker=${marker}`)).status, 401)
    const own = await ask('/_emulator/journal', { headers: { host: `localhost:${port}` } })
    assert.equal(own.status, 200)
    assert.ok(
      own.body.includes(marker),
      'the journal holds the marker (what a rebinding page would read)',
    )

    const seq = await emulator.client.mark()
    const json = { 'content-type': 'application/json' }
    const routes: [string, RawOptions][] = [
      ['/_emulator/journal', {}],
      ['/%5Femulator/journal', {}],
      ['/_emulator/mailboxes', {}],
      ['/', {}],
      ['/inbox/adele@contoso.test/inbox', {}],
      ['/v1.0/me', { headers: { authorization: `Bearer ${token}` } }],
      ['/common/v2.0/.well-known/openid-configuration', {}],
      ['/no/such/route', {}],
      [
        '/_emulator/users',
        {
          method: 'POST',
          headers: json,
          body: JSON.stringify({ userPrincipalName: 'se16@contoso.test', password: 'Se16.Pass1' }),
        },
      ],
    ]
    for (const forged of [
      `attacker.example:${port}`,
      'attacker.example',
      `localhost.attacker.example:${port}`,
      `127.0.0.1.nip.io:${port}`,
      'localhost:80@attacker.example',
    ]) {
      for (const [path, options] of routes) {
        const answer = await ask(path, {
          ...options,
          headers: { ...options.headers, host: forged },
        })
        const what = `${options.method ?? 'GET'} ${path} with Host ${forged}`
        assert.equal(answer.status, 421, what)
        assert.equal(JSON.parse(answer.body).error.code, 'MisdirectedRequest', what)
        assert.match(
          answer.body,
          /localhost, 127\.0\.0\.1, \[::1\]/,
          `${what}: names what it serves`,
        )
        assert.match(answer.body, /allowedHosts/, `${what}: says how to add a name`)
        assert.ok(!answer.body.includes(marker) && !answer.body.includes('"entries"'), what)
      }
    }
    assert.equal(await emulator.client.mark(), seq, 'no refused request reached the journal')
    assert.equal(await userExists(emulator, 'se16@contoso.test'), false, 'nothing was created')
    const upper = await ask('/_emulator/mark', { headers: { host: `LOCALHOST:${port}` } })
    assert.equal(upper.status, 200, 'names are compared without case')
  })

  test('SE-16 a request without Host (HTTP/1.0) is refused; in-process calls (inject) still answer', async () => {
    for (const path of [
      '/_emulator/journal',
      '/',
      '/common/v2.0/.well-known/openid-configuration',
    ]) {
      const answer = await withoutHost(port, path)
      assert.match(answer, /^HTTP\/1\.[01] 421 /, `${path}: ${answer.slice(0, 200)}`)
      assert.ok(!answer.includes('"entries"'), path)
    }
    // EmulatorClient's in-process fetch goes through Fastify's inject() (Host localhost:80).
    assert.equal(typeof (await emulator.client.mark()), 'number')
    assert.equal((await emulator.fastify.inject('/_emulator/mark')).statusCode, 200)
  })

  test('SE-16 names listed in allowedHosts are served, on any port; others still get 421', async () => {
    const named = await buildEmulator({
      logger: false,
      allowedHosts: ['Emulator.Test', 'fd00::10'],
    })
    try {
      await named.listen({ port: 0, host: '127.0.0.1' })
      const to = (host: string) =>
        raw('127.0.0.1', portOf(named), '/_emulator/mark', { headers: { host } })
      assert.equal((await to('emulator.test:1234')).status, 200)
      assert.equal((await to('emulator.test')).status, 200)
      assert.equal((await to('[fd00::10]:8001')).status, 200)
      assert.equal((await to('other.test:1234')).status, 421)
      await assert.rejects(
        buildEmulator({ allowedHosts: ['emulator.test:8001'] }),
        /without scheme, port/,
      )
    } finally {
      await named.close()
    }
  })

  test('SE-17 cross-site simple POSTs to reset and revoke are refused, and change nothing', async () => {
    await emulator.client.addUser({
      userPrincipalName: 'se17@contoso.test',
      password: 'Se17.Pass1',
    })
    const issued = await redeem(emulator, await obtainCode(emulator))
    assert.equal(issued.status, 200)
    const refreshToken = String(issued.json.refresh_token)

    const crossSite = {
      'content-type': 'text/plain;charset=UTF-8',
      origin: 'http://evil.example',
      'sec-fetch-site': 'cross-site',
      'sec-fetch-mode': 'no-cors',
    }
    const attempts: [string, RawOptions, number][] = [
      ['/_emulator/reset', { headers: crossSite, body: 'x' }, 403],
      ['/_emulator/refresh-tokens/revoke', { headers: crossSite, body: 'x' }, 403],
      ['/_emulator/refresh-tokens/revoke', { headers: crossSite, body: '{}' }, 403],
      // What an older browser without Sec-Fetch-* sends, and a form post.
      [
        '/_emulator/reset',
        { headers: { 'content-type': 'text/plain', origin: 'http://evil.example' } },
        403,
      ],
      [
        '/_emulator/reset',
        { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=b' },
        415,
      ],
      ['/_emulator/reset', { headers: { 'content-type': 'text/plain' }, body: '{}' }, 415],
      ['/_emulator/reset', {}, 415],
      // JSON, which a page of another site can only send after a CORS preflight the emulator never grants.
      [
        '/_emulator/reset',
        { headers: { 'content-type': 'application/json', origin: 'null' }, body: '{}' },
        403,
      ],
      [
        '/_emulator/reset',
        {
          headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-site' },
          body: '{}',
        },
        403,
      ],
      [
        '/_emulator/refresh-tokens/revoke',
        {
          headers: { 'content-type': 'application/json', origin: `http://localhost:${port + 1}` },
          body: '{"all":true}',
        },
        403,
      ],
    ]
    const host = { host: `localhost:${port}` }
    for (const [path, options, status] of attempts) {
      const answer = await ask(path, {
        method: 'POST',
        ...options,
        headers: { ...host, ...options.headers },
      })
      const what = `${path} ${JSON.stringify(options.headers ?? {})}`
      assert.equal(answer.status, status, `${what}: ${answer.body}`)
      const { error } = JSON.parse(answer.body) as { error: { code: string; message: string } }
      if (status === 415) assert.match(error.message, /Content-Type: application\/json/, what)
    }

    assert.equal(await userExists(emulator, 'se17@contoso.test'), true, 'reset did not run')
    const refreshed = await postToken(emulator, {
      grant_type: 'refresh_token',
      ...secretAuth(emulator),
      refresh_token: refreshToken,
      scope: FULL_SCOPE,
    })
    assert.equal(refreshed.status, 200, 'the refresh token still redeems')

    // The emulator's own origin and programs (no Origin) keep their JSON changes.
    const ownOrigin = await ask('/_emulator/tokens', {
      method: 'POST',
      headers: {
        ...host,
        'content-type': 'application/json',
        origin: `http://localhost:${port}`,
        'sec-fetch-site': 'same-origin',
      },
      body: '{}',
    })
    assert.equal(ownOrigin.status, 201, ownOrigin.body)
  })

  test('SE-17 revoking every refresh token takes {"all": true}: an empty selection is a 400 saying what to send', async () => {
    const issued = await redeem(emulator, await obtainCode(emulator))
    const refresh = () =>
      postToken(emulator, {
        grant_type: 'refresh_token',
        ...secretAuth(emulator),
        refresh_token: String(issued.json.refresh_token),
        scope: FULL_SCOPE,
      })
    const json = { host: `localhost:${port}`, 'content-type': 'application/json' }
    for (const body of ['{}', '', '{"all":false}', '{"expire":true}']) {
      const answer = await ask('/_emulator/refresh-tokens/revoke', {
        method: 'POST',
        headers: json,
        body,
      })
      assert.equal(answer.status, 400, `body ${JSON.stringify(body)}`)
      const { error } = JSON.parse(answer.body) as { error: { code: string; message: string } }
      assert.equal(error.code, 'InvalidRevoke')
      assert.match(error.message, /\{"all": true\}/, 'says what to send')
    }
    assert.equal((await refresh()).status, 200, 'nothing was revoked')
    assert.ok((await emulator.client.revokeRefreshTokens({ all: true })) >= 1)
    const revoked = await refresh()
    assert.equal(revoked.status, 400)
    assert.deepEqual(revoked.json.error_codes, [50173])
  })

  test('SE-17 Chromium: a page of another site cannot reset the emulator with a no-cors POST', async () => {
    await emulator.client.addUser({
      userPrincipalName: 'se17b@contoso.test',
      password: 'Se17.Pass1',
    })
    const attacker: Server = createServer((_request, response) => {
      response
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><title>elsewhere</title>')
    })
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve))
    const chromium = await launchChromium()
    try {
      const page = await chromium.newPage()
      const statuses: number[] = []
      page.on('response', (response) => {
        if (response.url().includes('/_emulator/')) statuses.push(response.status())
      })
      await page.goto(`http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`)
      await page.evaluate(async (target) => {
        for (const path of ['/_emulator/reset', '/_emulator/refresh-tokens/revoke'])
          await fetch(`${target}${path}`, { method: 'POST', mode: 'no-cors', body: 'x' })
      }, emulator.url)
      assert.deepEqual(statuses, [403, 403], 'both requests reached the emulator and were refused')
      assert.equal(await userExists(emulator, 'se17b@contoso.test'), true, 'reset did not run')
    } finally {
      await chromium.close()
      attacker.close()
    }
  })
})

describe('SE-15 the control API from an address beyond loopback', () => {
  const address = machineAddress()
  const skip = address
    ? false
    : 'this machine has no IPv4 address beyond loopback (only lo, e.g. under unshare --net)'

  test(
    'SE-15 encoded control paths from a non-loopback client are refused and create nothing',
    { skip },
    async () => {
      const emulator = await buildEmulator({
        logger: false,
        allowedHosts: [address!],
        onWarning: () => {},
      })
      try {
        await emulator.listen({ port: 0, host: address!, allowNonLoopback: true })
        const port = portOf(emulator)
        const paths = [
          '/_emulator/journal',
          '/%5Femulator/journal',
          '/%5femulator/journal',
          '/_emulator%2Fjournal',
          '/_emulator%2fjournal',
          '/%5Femulator%2Fjournal',
          '/_emulator/%6Aournal',
          '/_emulator/demo',
          '/%5Femulator/demo',
        ]
        for (const path of paths) {
          const answer = await raw(address!, port, path)
          assert.ok([403, 404].includes(answer.status), `${path}: ${answer.status}`)
          assert.ok(
            !answer.body.includes('"entries"') && !answer.body.includes('clientSecret'),
            path,
          )
        }
        const json = { 'content-type': 'application/json' }
        for (const [index, path] of [
          '/_emulator/users',
          '/%5Femulator/users',
          '/%5femulator/users',
          '/_emulator%2Fusers',
        ].entries()) {
          const upn = `se15-${index}@contoso.test`
          const answer = await raw(address!, port, path, {
            method: 'POST',
            headers: json,
            body: JSON.stringify({ userPrincipalName: upn, password: 'Se15.Pass1' }),
          })
          assert.ok([403, 404].includes(answer.status), `${path}: ${answer.status}`)
          assert.equal(await userExists(emulator, upn), false, `${path} created nothing`)
        }
        const reset = await raw(address!, port, '/%5Femulator/reset', {
          method: 'POST',
          headers: json,
          body: '{}',
        })
        assert.ok([403, 404].includes(reset.status), `reset: ${reset.status}`)
      } finally {
        await emulator.close()
      }
    },
  )
})

/** An emulator in a process of its own, so that a frozen event loop there cannot stop this test's clock. */
async function emulatorProcess(): Promise<{ url: string; child: ChildProcess }> {
  const entry = new URL('../../src/emulator/index.ts', import.meta.url).href
  const script = [
    `import { buildEmulator } from ${JSON.stringify(entry)}`,
    `const emulator = await buildEmulator({ logger: false, throttling: false })`,
    `process.stdout.write(await emulator.listen({ port: 0, host: 'localhost' }) + '\\n')`,
  ].join('\n')
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let errors = ''
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk))
  let url = ''
  for await (const chunk of child.stdout!) {
    url += chunk
    if (url.includes('\n')) break
  }
  if (!url.trim()) throw new Error(`The emulator process did not start: ${errors}`)
  return { url: url.trim(), child }
}

/** 40 characters that `^/(a|a)*$` backtracks over exponentially before failing on the last one. */
const HOSTILE_PATH = `/${'a'.repeat(38)}!`
const HOSTILE_PATTERN = '^/(a|a)*$'
/** Generous: the pattern above takes RE2 no time, and a backtracking engine longer than anyone waits. */
const PATIENCE_MS = 5_000

/** Both requests at once, each given PATIENCE_MS; their statuses, or a failure naming what did not answer. */
async function together(hostile: () => Promise<Response>, url: string): Promise<[number, number]> {
  const cheap = fetch(`${url}/common/v2.0/.well-known/openid-configuration`, {
    signal: AbortSignal.timeout(PATIENCE_MS),
  })
  const [first, second] = await Promise.allSettled([hostile(), cheap])
  assert.equal(
    first.status,
    'fulfilled',
    `the hostile request did not complete: ${String((first as PromiseRejectedResult).reason)}`,
  )
  assert.equal(
    second.status,
    'fulfilled',
    'a concurrent request was not answered: the event loop is held',
  )
  return [
    (first as PromiseFulfilledResult<Response>).value.status,
    (second as PromiseFulfilledResult<Response>).value.status,
  ]
}

describe('SE-18 caller-supplied patterns run in linear time', () => {
  test('SE-18 a backtracking journal pattern does not hold the event loop', async () => {
    const { url, child } = await emulatorProcess()
    try {
      for (let index = 0; index < 3; index++) await fetch(`${url}${HOSTILE_PATH}`)
      const [hostile, cheap] = await together(
        () =>
          fetch(`${url}/_emulator/journal?path=${encodeURIComponent(HOSTILE_PATTERN)}`, {
            signal: AbortSignal.timeout(PATIENCE_MS),
          }),
        url,
      )
      assert.ok([200, 400].includes(hostile), `journal answered ${hostile}`)
      assert.equal(cheap, 200)
      // The documented syntax still filters.
      const matching = await fetch(
        `${url}/_emulator/journal?path=${encodeURIComponent('^/a{38}!$')}`,
      )
      assert.equal(((await matching.json()) as { entries: unknown[] }).entries.length, 3)
    } finally {
      child.kill('SIGKILL')
    }
  })

  test('SE-18 a backtracking fault pattern does not hold the event loop', async () => {
    const { url, child } = await emulatorProcess()
    try {
      const added = await fetch(`${url}/_emulator/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ match: { path: HOSTILE_PATTERN }, action: { status: 503 } }),
        signal: AbortSignal.timeout(PATIENCE_MS),
      })
      assert.ok([201, 400].includes(added.status), `faults answered ${added.status}`)
      const [hostile, cheap] = await together(
        () => fetch(`${url}${HOSTILE_PATH}`, { signal: AbortSignal.timeout(PATIENCE_MS) }),
        url,
      )
      assert.equal(hostile, 404, 'the fault did not match; the unknown path is a 404')
      assert.equal(cheap, 200)
    } finally {
      child.kill('SIGKILL')
    }
  })
})

describe('SE-22 listening beyond loopback takes an explicit opt-in', () => {
  test('SE-22 listen() on 0.0.0.0 or :: without allowNonLoopback rejects, saying what to do, and listens nowhere', async () => {
    for (const host of ['0.0.0.0', '::', ...(machineAddress() ? [machineAddress()!] : [])]) {
      const emulator = await buildEmulator({ logger: false })
      const port = await freePort()
      try {
        await assert.rejects(
          emulator.listen({ port, host }),
          (error: Error & { code?: string }) => {
            assert.equal(error.code, 'ERR_EMULATOR_NOT_LOOPBACK')
            assert.match(error.message, /loopback only/)
            assert.match(error.message, /allowNonLoopback: true/)
            assert.match(error.message, /demo secret/)
            return true
          },
        )
        assert.equal(
          await connectOutcome(port),
          'ECONNREFUSED',
          `${host}: nothing listens on ${port}`,
        )
      } finally {
        await emulator.close()
      }
    }
  })

  test('SE-22 with allowNonLoopback it listens on 0.0.0.0 and warns that the demo secret gives tokens', async () => {
    const warnings: string[] = []
    const emulator = await buildEmulator({
      logger: false,
      onWarning: (message) => warnings.push(message),
    })
    try {
      await emulator.listen({ port: 0, host: '0.0.0.0', allowNonLoopback: true })
      assert.equal(warnings.length, 1)
      assert.match(warnings[0]!, /0\.0\.0\.0/)
      assert.match(warnings[0]!, /beyond loopback/)
      assert.match(warnings[0]!, /demo secret/)
      const answer = await raw(
        '127.0.0.1',
        portOf(emulator),
        '/common/v2.0/.well-known/openid-configuration',
        {
          headers: { host: `localhost:${portOf(emulator)}` },
        },
      )
      assert.equal(answer.status, 200)
    } finally {
      await emulator.close()
    }
  })
})
