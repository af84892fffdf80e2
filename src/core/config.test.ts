/** loadConfig: the documented defaults, every problem listed with its fix, the frozen result. */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { configDefaults, loadConfig } from './config.ts'
import { ConfigError } from './errors.ts'

// Without SESSION_SECRET a secret is made in data/ of the working directory: a scratch one here.
const home = process.cwd()
const scratch = mkdtempSync(join(tmpdir(), 'gc-config-'))
before(() => process.chdir(scratch))
after(() => {
  process.chdir(home)
  rmSync(scratch, { recursive: true, force: true })
})

const minimal = { CLIENT_ID: '11111111-2222-3333-4444-555555555555', CLIENT_SECRET: 'shh' }

function problemsOf(env: Record<string, string>) {
  try {
    loadConfig(env)
  } catch (error) {
    assert.ok(error instanceof ConfigError)
    return error.problems
  }
  assert.fail('expected a ConfigError')
}

test('the minimal environment gives the documented defaults', () => {
  const config = loadConfig(minimal)
  assert.equal(config.authority, configDefaults.AUTHORITY)
  assert.equal(config.graphBaseUrl, 'https://graph.microsoft.com/v1.0')
  assert.equal(config.publicUrl, 'http://127.0.0.1:8000')
  assert.equal(config.redirectUri, 'http://127.0.0.1:8000/connect/get_token/')
  assert.equal(config.postLogoutRedirectUri, 'http://127.0.0.1:8000/')
  assert.deepEqual(config.scopes, ['openid', 'profile', 'offline_access', 'User.Read', 'Mail.Send'])
  assert.deepEqual(config.store, { kind: 'sqlite', path: 'data/graph-connect.sqlite' })
  assert.equal(config.host, '127.0.0.1')
  assert.equal(config.port, 8000)
  assert.equal(config.trustProxy, false)
  assert.equal(config.flowInspector, false)
  assert.deepEqual(config.session, { idleSeconds: 3600, absoluteSeconds: 12 * 3600 })
  assert.deepEqual(config.limits, { sendsPerMinute: 10, signInsPerMinute: 20 })
  assert.deepEqual(config.graph, { timeoutMs: 10_000, retryBudgetMs: 15_000 })
  assert.deepEqual(config.sentCheck, { checks: 3, budgetMs: 3_000 })
  assert.equal(config.shutdownGraceMs, 10_000)
  assert.equal(config.sessionSecretFile, 'data/session-secret')
  assert.equal(config.secureCookies, false)
  assert.deepEqual(config.credential, { kind: 'secret', secret: 'shh' })
})

test('session timeouts in seconds win over minutes and hours (short timeouts for SE-04 tests)', () => {
  assert.deepEqual(
    loadConfig({ ...minimal, SESSION_IDLE_MINUTES: '5', SESSION_ABSOLUTE_HOURS: '2' }).session,
    { idleSeconds: 300, absoluteSeconds: 7200 },
  )
  assert.deepEqual(
    loadConfig({ ...minimal, SESSION_IDLE_SECONDS: '2', SESSION_ABSOLUTE_SECONDS: '5' }).session,
    { idleSeconds: 2, absoluteSeconds: 5 },
  )
  assert.deepEqual(
    problemsOf({ ...minimal, SESSION_IDLE_SECONDS: '0' }).map((problem) => problem.setting),
    ['SESSION_IDLE_SECONDS'],
  )
})

test('the lookups after a lost send answer (RE-04): set, turned off with 0, refused out of range', () => {
  assert.deepEqual(
    loadConfig({ ...minimal, SENT_CHECKS: '5', SENT_CHECK_BUDGET_MS: '1500' }).sentCheck,
    { checks: 5, budgetMs: 1500 },
  )
  assert.equal(loadConfig({ ...minimal, SENT_CHECKS: '0' }).sentCheck.checks, 0)
  const problems = problemsOf({ ...minimal, SENT_CHECKS: '11', SENT_CHECK_BUDGET_MS: '50' })
  assert.deepEqual(
    problems.map((problem) => problem.setting),
    ['SENT_CHECKS', 'SENT_CHECK_BUDGET_MS'],
  )
  assert.match(problems[0]!.fix, /SENT_CHECKS to a value like 3/)
})

test('the result is deep-frozen', () => {
  const config = loadConfig(minimal)
  assert.ok(Object.isFrozen(config))
  assert.ok(Object.isFrozen(config.scopes))
  assert.ok(Object.isFrozen(config.session))
  assert.throws(() => {
    ;(config.session as { idleSeconds: number }).idleSeconds = 1
  }, TypeError)
})

test('every problem is reported at once, each naming its setting and a fix', () => {
  const problems = problemsOf({
    AUTHORITY: 'http://login.example.com/common',
    PUBLIC_URL: 'http://app.example.com',
    SESSION_IDLE_MINUTES: 'ten',
    STORE: 'redis',
    TRUST_PROXY: 'maybe?',
    FLOW_INSPECTOR: 'perhaps',
    LOG_LEVEL: 'loud',
  })
  const settings = problems.map((problem) => problem.setting).sort()
  assert.deepEqual(settings, [
    'AUTHORITY',
    'CLIENT_ID',
    'CLIENT_SECRET',
    'FLOW_INSPECTOR',
    'LOG_LEVEL',
    'PUBLIC_URL',
    'REDIS_URL',
    'SESSION_IDLE_MINUTES',
    'SESSION_SECRET',
    'TRUST_PROXY',
  ])
  for (const problem of problems) {
    assert.ok(problem.message.length > 5, problem.setting)
    assert.ok(problem.fix.length > 10, problem.setting)
  }
})

test('exactly one credential: both or neither is a problem', () => {
  assert.deepEqual(
    problemsOf({ CLIENT_ID: 'x', CLIENT_SECRET: 's', CLIENT_CERTIFICATE_PATH: '/x.pem' }).map(
      (problem) => problem.setting,
    ),
    ['CLIENT_SECRET'],
  )
  assert.match(problemsOf({ CLIENT_ID: 'x' })[0]!.fix, /Value \(not its ID\)/)
})

test('http:// is accepted only for loopback hosts; a loopback authority is refused in production', () => {
  const config = loadConfig({
    ...minimal,
    AUTHORITY: 'http://localhost:8001/contoso/',
    GRAPH_BASE_URL: 'http://localhost:8001/v1.0/',
  })
  assert.equal(config.authority, 'http://localhost:8001/contoso')
  assert.equal(config.graphBaseUrl, 'http://localhost:8001/v1.0')
  const problems = problemsOf({
    ...minimal,
    AUTHORITY: 'http://localhost:8001/contoso',
    NODE_ENV: 'production',
    SESSION_SECRET: 'x'.repeat(32),
  })
  assert.deepEqual(
    problems.map((problem) => problem.setting),
    ['AUTHORITY'],
  )
  assert.deepEqual(
    problemsOf({ ...minimal, AUTHORITY: 'https://login.microsoftonline.com' }).map(
      (problem) => problem.setting,
    ),
    ['AUTHORITY'],
  )
})

test('a public deployment needs https and a session secret of 32+ characters', () => {
  assert.deepEqual(
    problemsOf({ ...minimal, PUBLIC_URL: 'https://mail.example.com' }).map(
      (problem) => problem.setting,
    ),
    ['SESSION_SECRET'],
  )
  assert.deepEqual(
    problemsOf({ ...minimal, SESSION_SECRET: 'short' }).map((problem) => problem.setting),
    ['SESSION_SECRET'],
  )
  const config = loadConfig({
    ...minimal,
    PUBLIC_URL: 'https://mail.example.com/',
    SESSION_SECRET: 's'.repeat(40),
    TRUST_PROXY: '1',
  })
  assert.equal(config.redirectUri, 'https://mail.example.com/connect/get_token/')
  assert.equal(config.secureCookies, true)
  assert.equal(config.port, 8000)
  assert.equal(config.trustProxy, 1)
  assert.equal(config.sessionSecretFile, undefined)
})

test('without SESSION_SECRET on loopback: a random secret made once, kept owner-only beside the store', () => {
  const first = loadConfig({ ...minimal, SQLITE_PATH: 'kept/app.sqlite' })
  assert.equal(first.sessionSecretFile, join('kept', 'session-secret'))
  assert.match(first.sessionSecret, /^[A-Za-z0-9_-]{43}$/)
  assert.equal(statSync('kept').mode & 0o777, 0o700)
  assert.equal(statSync('kept/session-secret').mode & 0o777, 0o600)
  assert.equal(readFileSync('kept/session-secret', 'utf8').trim(), first.sessionSecret)
  const again = loadConfig({ ...minimal, SQLITE_PATH: 'kept/app.sqlite' })
  assert.equal(again.sessionSecret, first.sessionSecret, 'kept across starts')
  chmodSync('kept/session-secret', 0o644)
  loadConfig({ ...minimal, SQLITE_PATH: 'kept/app.sqlite' })
  assert.equal(statSync('kept/session-secret').mode & 0o777, 0o600, 'a readable copy is tightened')
  const memory = loadConfig({ ...minimal, STORE: 'memory' })
  assert.equal(memory.sessionSecretFile, undefined)
  assert.notEqual(memory.sessionSecret, loadConfig({ ...minimal, STORE: 'memory' }).sessionSecret)
  writeFileSync('kept/session-secret', 'too short')
  assert.match(
    problemsOf({ ...minimal, SQLITE_PATH: 'kept/app.sqlite' })[0]!.message,
    /kept\/session-secret cannot be read or made: it holds 9 characters/,
  )
})

test('without SESSION_SECRET, a HOST beyond loopback or a bad setting makes nothing on disk', () => {
  const problems = problemsOf({ ...minimal, HOST: '0.0.0.0', SQLITE_PATH: 'exposed/app.sqlite' })
  assert.deepEqual(
    problems.map((problem) => [problem.setting, problem.message]),
    [['SESSION_SECRET', 'is required: HOST=0.0.0.0 listens beyond loopback.']],
  )
  problemsOf({ ...minimal, PORT: 'x', SQLITE_PATH: 'refused/app.sqlite' })
  assert.throws(() => statSync('exposed'), { code: 'ENOENT' })
  assert.throws(() => statSync('refused'), { code: 'ENOENT' })
})

test('the port follows a loopback PUBLIC_URL unless PORT is set; trust-proxy takes CIDR lists', () => {
  assert.equal(loadConfig({ ...minimal, PUBLIC_URL: 'http://localhost:3000' }).port, 3000)
  assert.equal(loadConfig({ ...minimal, PUBLIC_URL: 'http://localhost:3000', PORT: '0' }).port, 0)
  assert.deepEqual(loadConfig({ ...minimal, TRUST_PROXY: '10.0.0.0/8, loopback' }).trustProxy, [
    '10.0.0.0/8',
    'loopback',
  ])
})

test('redis and memory stores; memory is refused in production', () => {
  assert.deepEqual(
    loadConfig({ ...minimal, STORE: 'redis', REDIS_URL: 'redis://127.0.0.1:6379' }).store,
    { kind: 'redis', url: 'redis://127.0.0.1:6379', keyPrefix: 'graph-connect:' },
  )
  assert.deepEqual(loadConfig({ ...minimal, STORE: 'memory' }).store, { kind: 'memory' })
  const problems = problemsOf({
    ...minimal,
    STORE: 'memory',
    NODE_ENV: 'production',
    SESSION_SECRET: 'x'.repeat(32),
  })
  assert.deepEqual(
    problems.map((problem) => problem.setting),
    ['STORE'],
  )
})

test('secrets never appear in problem messages', () => {
  const problems = problemsOf({
    CLIENT_ID: 'x',
    CLIENT_SECRET: 'TOPSECRET',
    SESSION_SECRET: 'SHORTSECRET',
    STORE: 'redis',
    REDIS_URL: 'http://:PASSWORD@h',
  })
  const text = JSON.stringify(problems)
  assert.doesNotMatch(text, /TOPSECRET|SHORTSECRET|PASSWORD/)
})

test('a certificate credential is read from one PEM holding the key and the certificate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gc-cert-'))
  const key = join(dir, 'key.pem')
  const cert = join(dir, 'cert.pem')
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=graph-connect-test',
    ],
    { stdio: 'ignore' },
  )
  const pem = join(dir, 'app.pem')
  execFileSync('sh', ['-c', `cat ${key} ${cert} > ${pem}`])
  const config = loadConfig({ CLIENT_ID: 'x', CLIENT_CERTIFICATE_PATH: pem })
  assert.equal(config.credential.kind, 'certificate')
  assert.ok(
    config.credential.kind === 'certificate' &&
      /^[0-9A-F]{64}$/.test(config.credential.thumbprintSha256),
  )
  writeFileSync(join(dir, 'bad.pem'), 'nothing here')
  assert.deepEqual(
    problemsOf({ CLIENT_ID: 'x', CLIENT_CERTIFICATE_PATH: join(dir, 'bad.pem') }).map(
      (problem) => problem.setting,
    ),
    ['CLIENT_CERTIFICATE_PATH'],
  )
})
