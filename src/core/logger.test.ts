/** createLogger and maskSecrets: secret fields censored at any depth; JWTs, bearer tokens and code= masked anywhere. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { Writable } from 'node:stream'
import fc from 'fast-check'
import { createLogger, maskSecrets } from './logger.ts'

function capture() {
  const lines: string[] = []
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(String(chunk))
      callback()
    },
  })
  return { logger: createLogger({ logLevel: 'trace' }, destination), lines }
}

const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJDQU5BUlkifQ.c2lnbmF0dXJl'

test('known secret fields are censored wherever they sit', () => {
  const { logger, lines } = capture()
  logger.info(
    {
      client_secret: 'CANARY-SECRET',
      refresh_token: 'CANARY-RT',
      code: 'CANARY-CODE',
      request: { headers: { authorization: 'Bearer CANARY-AT', cookie: 'sid=CANARY-SID' } },
      body: { code_verifier: 'CANARY-VERIFIER', state: 'CANARY-STATE' },
    },
    'token request',
  )
  const text = lines.join('')
  assert.doesNotMatch(text, /CANARY/)
  assert.match(text, /token request/)
})

test('JWTs, bearer tokens and code= parameters are masked in any string, the message included', () => {
  const { logger, lines } = capture()
  logger.info(
    {
      url: 'http://app/connect/get_token/?code=CANARY-CODE&state=CANARY-STATE&session_state=x',
      note: `got ${jwt}`,
    },
    `callback code=CANARY-CODE with ${jwt} and Authorization: Bearer CANARY-AT`,
  )
  logger.error(new Error(`failed with id_token=${jwt}`), 'oops')
  const text = lines.join('')
  assert.doesNotMatch(text, /CANARY|eyJhbGci/)
  assert.match(text, /http:\/\/app\/connect\/get_token\//)
})

test('maskSecrets never lets a JWT-shaped substring through (property)', () => {
  const part = fc.stringMatching(/^[A-Za-z0-9_-]{4,40}$/)
  fc.assert(
    fc.property(
      fc.string(),
      part,
      part,
      part,
      fc.string(),
      (before, header, payload, signature, rest) => {
        const token = `eyJ${header}.${payload}.${signature}`
        return !maskSecrets(`${before} ${token} ${rest}`).includes(token)
      },
    ),
  )
})

test('tokens right after an escaped character (newline, tab, quote) are masked in the written line', () => {
  const { logger, lines } = capture()
  logger.info(
    {
      note: `a\n${jwt}`,
      other: 'x\tcode=CANARY-CODE&y=1',
      quoted: '"Bearer\nCANARY-AT"',
      deep: { deeper: { url: '/cb?state=CANARY-STATE' } },
    },
    `line\nBearer CANARY-AT\naccess_token=CANARY-AT`,
  )
  const text = lines.join('')
  assert.doesNotMatch(text, /CANARY|eyJhbGci/)
  assert.match(text, /"y=1|&y=1/)
})

test('a request logs as method, URL (parameters masked) and address; a reply as its status', () => {
  const { logger, lines } = capture()
  const socket = { secret: 'CANARY-SOCKET' }
  logger.info(
    {
      req: {
        method: 'GET',
        url: '/connect/get_token/?code=CANARY-CODE&state=CANARY-STATE',
        ip: '127.0.0.1',
        socket,
      },
      res: { statusCode: 303, socket },
    },
    'request',
  )
  const entry = JSON.parse(lines[0]) as {
    req: Record<string, unknown>
    res: Record<string, unknown>
  }
  assert.deepEqual(entry.req, {
    method: 'GET',
    url: '/connect/get_token/?code=[redacted]&state=[redacted]',
    remoteAddress: '127.0.0.1',
  })
  assert.deepEqual(entry.res, { statusCode: 303 })
})

test('no JWT-shaped substring survives in a written line, whatever surrounds it (property)', () => {
  const part = fc.stringMatching(/^[A-Za-z0-9_-]{4,40}$/)
  fc.assert(
    fc.property(
      fc.string(),
      part,
      part,
      part,
      fc.string(),
      (before, header, payload, signature, rest) => {
        const { logger, lines } = capture()
        const token = `eyJ${header}.${payload}.${signature}`
        logger.info({ value: `${before}${token}${rest}` }, `${before}${token}`)
        return !lines.join('').includes(token)
      },
    ),
    { numRuns: 200 },
  )
})

test('secret-named fields are censored at any depth, arrays of strings included; the line stays JSON', () => {
  const { logger, lines } = capture()
  logger.info(
    {
      a: {
        b: {
          c: {
            password: 'CANARY-PW',
            'set-cookie': ['session=CANARY-SID; Path=/', 'x=CANARY-X'],
            Authorization: 'Basic CANARY-B',
          },
        },
      },
      config: {
        credential: {
          kind: 'certificate',
          privateKey: '-----BEGIN PRIVATE KEY-----\nCANARY-KEY',
          thumbprintSha256: 'ab',
        },
      },
      list: [{ refresh_token: 'CANARY-RT' }],
      n: { nonce: 12345 },
      name: 'Adele "code": CANARY-NOT-A-FIELD',
    },
    'deep',
  )
  const entry = JSON.parse(lines[0]) as Record<string, unknown>
  assert.doesNotMatch(lines[0], /CANARY-(PW|SID|X|B|KEY|RT)|12345/)
  assert.deepEqual(entry.config, {
    credential: { kind: 'certificate', privateKey: '[redacted]', thumbprintSha256: 'ab' },
  })
})

test('a terminal gets one readable line per event, masked; a pipe gets the JSON line', () => {
  const program = `
    const { createLogger } = await import(${JSON.stringify(new URL('./logger.ts', import.meta.url).href)})
    const logger = createLogger({ logLevel: 'info' })
    logger.info({ req: { method: 'GET', url: '/send?code=abc' }, res: { statusCode: 303 }, responseTime: 4.5 }, 'request completed')
    logger.info({ refresh_token: 'RT-secret' }, 'stored')
    logger.flush()`
  const node = [process.execPath, '--input-type=module', '-e', program]
  const piped = spawnSync(node[0]!, node.slice(1), { encoding: 'utf8' })
  assert.equal(piped.status, 0, piped.stderr)
  const json = piped.stdout.trim().split('\n')
  assert.equal(json.length, 2)
  assert.equal(JSON.parse(json[1]!).refresh_token, '[redacted]')
  // `script` runs the program on a pseudo-terminal, as a developer's shell would.
  const quoted = node.map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(' ')
  const tty = spawnSync('script', ['-qec', quoted, '/dev/null'], { encoding: 'utf8' })
  assert.equal(tty.status, 0, tty.stderr)
  const lines = tty.stdout
    .replaceAll(String.fromCharCode(27), '')
    .replace(/\[[0-9;]*m/g, '') // colours
    .trim()
    .split(/\r?\n/)
  assert.equal(lines.length, 2, tty.stdout)
  assert.match(
    lines[0]!,
    /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: request completed GET \/send\?code=\[redacted\] → 303 \(4\.5 ms\)$/,
  )
  assert.match(lines[1]!, /INFO: stored \{"refresh_token":"\[redacted\]"\}$/)
  assert.doesNotMatch(tty.stdout, /RT-secret|code=abc|"level"/)
})
