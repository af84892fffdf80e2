/**
 * Fuzzing with fast-check, black-box over real HTTP: callback query strings, send-form bodies (urlencoded and
 * multipart), cookies and headers never get a 5xx from the app, never crash it and never leave an unhandled rejection;
 * loadConfig never throws anything but ConfigError. Prints the number of cases run.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { request as httpRequest } from 'node:http'
import fc from 'fast-check'
import { ConfigError, loadConfig } from '../../src/core/index.ts'
import type { Browser } from '../kit/browser.ts'
import { RELIABILITY, startSystem, type AppInstance, type System } from '../kit/system.ts'
import { TEST_REDIS_URL } from '../kit/test-redis.ts'

const RUNS = Number(process.env.FUZZ_RUNS ?? 500)
const seed = Number(process.env.FUZZ_SEED ?? 424242)
let system: System
let app: AppInstance
let client: Browser
let cases = 0
const incidents: string[] = []
const onRejection = (reason: unknown) =>
  incidents.push(`unhandledRejection: ${String((reason as Error)?.stack ?? reason)}`)
const onException = (error: Error) => incidents.push(`uncaughtException: ${error.stack}`)

before(async () => {
  process.on('unhandledRejection', onRejection)
  process.on('uncaughtException', onException)
  system = await startSystem(RELIABILITY)
  app = await system.startApp({
    env: { GRAPH_TIMEOUT_MS: '1000', GRAPH_RETRY_BUDGET_MS: '1000' },
  })
  client = app.browser()
  await client.signInHome(system.user('adele'))
})

after(async () => {
  await system?.close()
  process.off('unhandledRejection', onRejection)
  process.off('uncaughtException', onException)
})

interface Raw {
  method: string
  path: string
  headers?: Record<string, string>
  body?: Buffer | string
}

/** One request over node:http with the path and headers exactly as given; resolves with the status. */
function raw(options: Raw): Promise<number> {
  const url = new URL(app.url)
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: options.method,
        path: options.path,
        headers: options.headers,
        agent: false,
      },
      (response) => {
        response.resume()
        response.on('end', () => resolve(response.statusCode ?? 0))
      },
    )
    req.on('error', reject)
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')))
    req.end(options.body)
  })
}

const nasty = fc.constantFrom(
  '',
  '%',
  '%zz',
  '%00',
  '%E0%A4%A',
  '__proto__',
  'constructor',
  'prototype',
  '[]',
  'a[b]',
  '&',
  '=',
  '==',
  '+',
  '\u0000',
  '\ud800',
  '😀',
  '<script>',
  '../..',
  '%2e%2e%2f',
  'é',
  '\r\n',
  ' ',
  'x'.repeat(3000),
)
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  nasty,
)
const headerValue = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
  maxLength: 200,
})
const token = fc.string({
  unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789-_!#$%&'*+.^`|~".split('')),
  minLength: 1,
  maxLength: 20,
})
const encode = (value: string) => encodeURIComponent(value.replace(/[\ud800-\udfff]/g, '\ufffd'))

/** The send form's field names, and any other. */
const fieldNames = fc.oneof(
  fc.constantFrom(
    'to',
    'cc',
    'bcc',
    'subject',
    'body',
    'format',
    'importance',
    'saveToSentItems',
    '_csrf',
    '_form',
    'attachments',
  ),
  token,
  nasty,
)

/** Headers the app reads, and any other. */
const headerName = fc.oneof(
  fc.constantFrom(
    'accept-language',
    'x-forwarded-for',
    'x-forwarded-proto',
    'x-forwarded-host',
    'origin',
    'sec-fetch-site',
    'referer',
    'user-agent',
    'accept',
    'content-type',
    'if-none-match',
    'range',
    'forwarded',
    'x-request-id',
    'authorization',
  ),
  token,
)
/** Headers that would break the request itself rather than test the app. */
const FORBIDDEN_HEADERS = new Set([
  'content-length',
  'transfer-encoding',
  'connection',
  'expect',
  'upgrade',
  'host',
  'keep-alive',
  'te',
  'trailer',
])

/** Every route, with the methods a client may try. */
const ROUTES = [
  'GET /',
  'GET /connect',
  'GET /flow',
  'GET /me/photo',
  'GET /readyz',
  'GET /healthz',
  'GET /static/app.css',
  'POST /send',
  'POST /disconnect',
  'GET /nope',
  'GET /?lang=fr',
  'OPTIONS /',
  'HEAD /',
]

/** Every setting loadConfig reads. */
const CONFIG_NAMES = [
  'CLIENT_ID',
  'CLIENT_SECRET',
  'CLIENT_CERTIFICATE_PATH',
  'AUTHORITY',
  'GRAPH_BASE_URL',
  'SCOPES',
  'IDP_TIMEOUT_MS',
  'PUBLIC_URL',
  'REDIRECT_PATH',
  'POST_LOGOUT_REDIRECT_URI',
  'HOST',
  'PORT',
  'TRUST_PROXY',
  'SESSION_SECRET',
  'STORE',
  'SQLITE_PATH',
  'REDIS_URL',
  'REDIS_KEY_PREFIX',
  'SESSION_IDLE_MINUTES',
  'SESSION_ABSOLUTE_HOURS',
  'SESSION_IDLE_SECONDS',
  'SESSION_ABSOLUTE_SECONDS',
  'SEND_LIMIT_PER_MINUTE',
  'SIGNIN_LIMIT_PER_MINUTE',
  'GRAPH_TIMEOUT_MS',
  'GRAPH_RETRY_BUDGET_MS',
  'SHUTDOWN_GRACE_MS',
  'FLOW_INSPECTOR',
  'LOG_LEVEL',
  'NODE_ENV',
]
/** Values a setting plausibly gets, right or wrong. */
const plausibleSetting = fc.constantFrom(
  '',
  ' ',
  '0',
  '-1',
  '1e3',
  '08',
  '99999999999999999999',
  'NaN',
  'true',
  'false',
  'yes',
  'http://127.0.0.1:8000',
  'https://login.microsoftonline.com/common',
  'http://evil.example',
  'https://[::1]:443/x',
  'javascript:alert(1)',
  TEST_REDIS_URL,
  'rediss://:pw@h:1',
  'memory',
  'redis',
  'sqlite',
  'production',
  'test',
  'silent',
  '/connect/get_token/',
  '//evil',
  'loopback,10.0.0.0/8',
  '1',
  'x'.repeat(64),
  '/nonexistent/cert.pem',
  '/etc/passwd',
  '.',
  '\u0000',
)

/** A send-form body as urlencoded (lone surrogates dropped), JSON, or under a content type no parser knows. */
function encodedBody(kind: string, fields: [string, string][]): { type: string; body: string } {
  if (kind === 'json')
    return { type: 'application/json', body: JSON.stringify(Object.fromEntries(fields)) }
  const body = new URLSearchParams(
    fields.map(([n, v]) => [n.replace(/[\ud800-\udfff]/g, ''), v.replace(/[\ud800-\udfff]/g, '')]),
  ).toString()
  const type =
    kind === 'garbage-type' ? 'text/x-garbage; charset=bogus' : 'application/x-www-form-urlencoded'
  return { type, body }
}

/** A multipart send-form body with files as `attachments`; `broken` cuts it in half. */
function multipartBody(
  fields: [string, string][],
  files: { name: string; type: string; size: number }[],
  broken: boolean,
): { type: string; body: Buffer } {
  const boundary = `----fuzz${Math.random().toString(16).slice(2)}`
  const parts: Buffer[] = []
  const quote = (value: string) => value.replace(/["\r\n\\]/g, '_')
  for (const [name, value] of fields)
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`,
      ),
    )
  for (const file of files) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="${quote(file.name)}"\r\nContent-Type: ${file.type.replace(/[\r\n]/g, '') || 'x'}\r\n\r\n`,
      ),
      Buffer.alloc(file.size, 0x41),
      Buffer.from('\r\n'),
    )
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`))
  const body = Buffer.concat(parts)
  const type = `multipart/form-data; boundary=${boundary}`
  return { type, body: broken ? body.subarray(0, Math.floor(body.length / 2)) : body }
}

function check(status: number, what: string): void {
  cases++
  assert.ok(status > 0 && status < 500, `${what} → ${status}`)
}

test('fuzz: callback query strings (with and without a pending sign-in) never give a 5xx', async () => {
  const stranger = app.browser()
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.tuple(
          fc.oneof(
            fc.constantFrom(
              'code',
              'state',
              'error',
              'error_description',
              'iss',
              'session_state',
              'client_info',
              'error_uri',
            ),
            text,
          ),
          text,
        ),
        { maxLength: 8 },
      ),
      fc.constantFrom('raw', 'encoded'),
      fc.boolean(),
      async (pairs, style, withPending) => {
        const query = pairs
          .map(([name, value]) =>
            style === 'raw' ? `${name}=${value}` : `${encode(name)}=${encode(value)}`,
          )
          .join('&')
        const path = `/connect/get_token/?${style === 'raw' ? encodeURI(query.replace(/[\ud800-\udfff]/g, '')) : query}`
        if (withPending) {
          const start = await stranger.get('/connect')
          const state = new URL(start.location!).searchParams.get('state')!
          check(
            await raw({
              method: 'GET',
              path: `${path}&state=${state}`,
              headers: { cookie: stranger.cookieHeader() },
            }),
            `callback with pending state ${path}`,
          )
        } else check(await raw({ method: 'GET', path, headers: {} }), `callback ${path}`)
      },
    ),
    { numRuns: RUNS, seed },
  )
})

test('fuzz: send-form bodies, urlencoded and multipart, never give a 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fieldNames, text), { maxLength: 10 }),
      fc.boolean(),
      fc.constantFrom('urlencoded', 'multipart', 'multipart-broken', 'json', 'garbage-type'),
      fc.array(
        fc.record({
          name: text,
          type: fc.oneof(headerValue, fc.constant('application/octet-stream')),
          size: fc.integer({ min: 0, max: 4096 }),
        }),
        { maxLength: 3 },
      ),
      async (pairs, withTokens, kind, files) => {
        const fields: [string, string][] = pairs.map(([name, value]) => [name, value])
        if (withTokens) {
          const page = await client.home()
          fields.unshift(
            ['_csrf', page.csrf!],
            ['_form', page.formToken!],
            ['to', 'megan@contoso.test'],
          )
        }
        const { type, body } =
          kind === 'multipart' || kind === 'multipart-broken'
            ? multipartBody(fields, files, kind === 'multipart-broken')
            : encodedBody(kind, fields)
        const headers = { cookie: client.cookieHeader(), 'content-type': type }
        const label = kind.startsWith('multipart') ? `multipart ${kind}` : `urlencoded ${kind}`
        check(await raw({ method: 'POST', path: '/send', headers, body }), label)
      },
    ),
    { numRuns: RUNS, seed },
  )
})

test('fuzz: cookies and headers on every route never give a 5xx', async () => {
  const cookiePair = fc.tuple(
    fc.oneof(fc.constantFrom('session', '__Host-session', 'lang'), token),
    fc.oneof(
      headerValue,
      fc.constantFrom(client.cookie(app.url, 'session') ?? '', 'A'.repeat(43), '%', '"', '=;='),
    ),
  )
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...ROUTES),
      fc.array(cookiePair, { maxLength: 6 }),
      fc.array(fc.tuple(headerName, headerValue), { maxLength: 6 }),
      async (route, cookies, headers) => {
        const [method, path] = route.split(' ') as [string, string]
        const all: Record<string, string> = {}
        for (const [name, value] of headers)
          if (!FORBIDDEN_HEADERS.has(name.toLowerCase())) all[name] = value
        all.cookie = cookies.map(([name, value]) => `${name}=${value}`).join('; ')
        // The send and disconnect routes get a body so every parser runs.
        const body = method === 'POST' ? 'to=x%40y.z&_csrf=a&_form=b' : undefined
        if (body && !all['content-type']) all['content-type'] = 'application/x-www-form-urlencoded'
        check(
          await raw({ method, path, headers: all, body }),
          `${route} ${JSON.stringify(all).slice(0, 300)}`,
        )
      },
    ),
    { numRuns: RUNS * 2, seed },
  )
  // The session cookie of the signed-in client still works after all that.
  assert.ok((await client.home()).signedIn)
})

test('fuzz: loadConfig throws nothing but ConfigError, whatever the environment', () => {
  fc.assert(
    fc.property(
      fc.dictionary(fc.constantFrom(...CONFIG_NAMES), fc.oneof(plausibleSetting, text), {
        maxKeys: CONFIG_NAMES.length,
      }),
      (env) => {
        cases++
        try {
          loadConfig(env)
        } catch (error) {
          assert.ok(
            error instanceof ConfigError,
            `${(error as Error).name}: ${(error as Error).message} for ${JSON.stringify(env).slice(0, 400)}`,
          )
          assert.ok(error.problems.length > 0)
        }
      },
    ),
    { numRuns: RUNS * 10, seed },
  )
})

test('fuzz: no crash, no unhandled rejection, the app still answers', async () => {
  assert.equal((await client.get('/healthz')).status, 200)
  assert.deepEqual(incidents, [])
  console.log(
    `fuzz: ${cases} cases run (seed ${seed}), 0 responses ≥ 500, ${incidents.length} unhandled rejections or exceptions`,
  )
})
