/**
 * `graph-connect login`, `status`, `logout` as processes against a real emulator: device code completed over HTTP
 * with the emulator's own pages, the browser flow (PKCE, loopback redirect, form_post), app-only with a secret and a
 * certificate, the tokens sealed and owner-only, an expired sign-in (exit 3), and no emulator running (one in process).
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildEmulator } from '../src/emulator/index.ts'
import {
  cliEnv,
  completeDeviceCode,
  deviceCodeLogin,
  deviceCodePrompt,
  HTTP_BROWSER,
  runCli,
  startCli,
} from './kit/cli-process.ts'
import { freePort } from './kit/free-port.ts'
import { scratchDir } from './kit/scratch-dir.ts'
import { startSystem, type System } from './kit/system.ts'

const CLI_APP = '0c9e3d5a-7f21-4b8e-9a64-3e5d2c1b7f90'

describe('login against a running emulator', () => {
  let system: System
  const scratch = scratchDir('gc-cli-login')
  const env = (name: string, more: Record<string, string> = {}) =>
    cliEnv(join(scratch.dir, name), { EMULATOR_URL: system.emulator.url, ...more })
  before(async () => {
    system = await startSystem({ emulator: { deviceCodeIntervalSeconds: 1 } })
  })
  after(async () => {
    await system.close()
    scratch.remove()
  })

  test('device code: the code and page printed, completed in a browser; status says who; tokens sealed, 0600 in 0700', async () => {
    const adele = system.user('adele')
    const login = await deviceCodeLogin([], { env: env('device'), cwd: scratch.dir }, adele)
    assert.equal(login.code, 0, login.stderr)
    assert.equal(login.prompt.uri, `${system.emulator.url}/devicelogin`)
    assert.match(
      login.stderr,
      /Waiting for the sign-in to be completed \(the code expires in 15 min; Ctrl\+C cancels\)/,
    )
    assert.match(login.page, /You may now close this window/)
    assert.match(
      login.stdout,
      /^Signed in as Adele Vance <adele@contoso\.test>\.\n {2}Connection "default", tenant 6f1d6c4e-2b7a-4c39-9e51-0c8a7d3b5f21\n {2}The emulator at http:\/\/localhost:\d+; its inbox viewer: http:\/\/localhost:\d+\/\n$/,
    )
    const status = await runCli(['status', '--output', 'json'], { env: env('device') })
    assert.equal(status.code, 0, status.stderr)
    const summary = JSON.parse(status.stdout) as Record<string, unknown>
    assert.equal(summary.account, 'Adele Vance <adele@contoso.test>')
    assert.equal(summary.clientId, CLI_APP)
    assert.equal(summary.kind, 'delegated')
    assert.ok((summary.permissions as string[]).includes('Mail.Send'))
    assert.match(String(summary.accessTokenExpires), /^\d{4}-\d\d-\d\dT.*\(in (59|60) min\)$/)
    const home = join(scratch.dir, 'device')
    assert.equal(statSync(home).mode & 0o777, 0o700)
    for (const file of ['key', 'connections/default.json'])
      assert.equal(statSync(join(home, file)).mode & 0o777, 0o600, file)
    const stored = JSON.parse(readFileSync(join(home, 'connections/default.json'), 'utf8'))
    assert.deepEqual(Object.keys(stored), ['name', 'sealed'])
    const sealed = Buffer.from(String(stored.sealed).slice(3), 'base64url').toString('latin1')
    for (const clear of ['RefreshToken', 'refresh_token', 'adele@contoso.test', 'eyJ'])
      assert.ok(!sealed.includes(clear), `no ${clear} in clear`)
  })

  test('logout deletes the connection: status then exits 3 and says to run login', async () => {
    const megan = system.user('megan')
    assert.equal((await deviceCodeLogin(['-c', 'work'], { env: env('logout') }, megan)).code, 0)
    const out = await runCli(['logout', '--connection', 'work'], { env: env('logout') })
    assert.equal(out.code, 0)
    assert.match(
      out.stdout,
      /Signed out of connection "work" \(megan@contoso\.test\); its tokens are deleted\./,
    )
    assert.deepEqual(readdirSync(join(scratch.dir, 'logout', 'connections')), [])
    const status = await runCli(['status', '-c', 'work'], { env: env('logout') })
    assert.equal(status.code, 3)
    assert.equal(
      status.stderr,
      'Not signed in (connection "work"): run graph-connect login --connection work.\n',
    )
  })

  test('--browser: authorization code + PKCE on a loopback redirect, the URL printed, the page answered by the CLI', async () => {
    const out = join(scratch.dir, 'browser-page.html')
    const login = await runCli(['login', '--browser'], {
      env: env('browser', {
        BROWSER: HTTP_BROWSER,
        HTTP_BROWSER_USER: 'diego@contoso.test:Diego.Demo1',
        HTTP_BROWSER_OUT: out,
      }),
    })
    assert.equal(login.code, 0, login.stderr)
    const url = new URL(/go to:\n\n {4}(\S+)\n/.exec(login.stderr)![1]!)
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256')
    assert.equal(url.searchParams.get('response_mode'), 'form_post')
    assert.match(url.searchParams.get('redirect_uri')!, /^http:\/\/localhost:\d+$/)
    assert.match(login.stdout, /^Signed in as Diego Siciliani <diego@contoso\.test>\./)
    assert.match(
      readFileSync(out, 'utf8'),
      /Graph Connect has your sign-in\. You can close this tab/,
    )
  })

  test('app-only with the secret (from stdin) and with a certificate: the roles shown; --from is then required', async () => {
    const { demo } = system.emulator
    const secret = await runCli(['login', '--secret', '-', '-c', 'app'], {
      env: env('app'),
      input: `${demo.clientSecret}\n`,
    })
    assert.equal(secret.code, 0, secret.stderr)
    assert.match(secret.stdout, new RegExp(`^Signed in as the app ${demo.clientId} \\(app-only`))
    const status = JSON.parse(
      (await runCli(['status', '-c', 'app', '-o', 'json'], { env: env('app') })).stdout,
    )
    assert.deepEqual(status.permissions, ['Mail.Send', 'User.Read.All'])
    assert.equal(status.kind, 'app-only')
    const pem = join(scratch.dir, 'app.pem')
    writeFileSync(pem, `${demo.certificate.privateKeyPem}\n${demo.certificate.certificatePem}\n`)
    const certificate = await runCli(['login', '--certificate', pem, '-c', 'cert'], {
      env: env('app'),
    })
    assert.equal(certificate.code, 0, certificate.stderr)
    const send = await runCli(['send', '-c', 'cert', '--to', 'lea@contoso.test', '--body', 'x'], {
      env: env('app'),
    })
    assert.equal(send.code, 2)
    assert.match(
      send.stderr,
      /an app-only connection has no mailbox of its own: say which one sends with --from <address>\./,
    )
    const from = await runCli(
      [
        'send',
        '-c',
        'cert',
        '--from',
        'nestor@contoso.test',
        '--to',
        'lea@contoso.test',
        '--subject',
        'App-only',
        '--body',
        'x',
      ],
      { env: env('app') },
    )
    assert.equal(from.code, 0, from.stderr)
    const inbox = await system.client.messages('lea@contoso.test', { folder: 'inbox' })
    assert.ok(
      inbox.some(
        (message) =>
          message.subject === 'App-only' &&
          message.from?.emailAddress.address === 'nestor@contoso.test',
      ),
    )
  })

  test('bad input gets one line with the fix: a wrong secret, a bad certificate file, both credentials, an unknown flag', async () => {
    const wrong = await runCli(['login', '--secret', 'nope'], { env: env('bad') })
    assert.equal(wrong.code, 1)
    assert.match(
      wrong.stderr,
      /^graph-connect: the identity provider refused the app: .*AADSTS7000215.*Fix the client id, secret or certificate, then run graph-connect login again\.\n$/,
    )
    const pem = await runCli(['login', '--certificate', '/nonexistent.pem'], { env: env('bad') })
    assert.equal(pem.code, 1)
    assert.match(
      pem.stderr,
      /^graph-connect: the certificate file \/nonexistent\.pem cannot be used: ENOENT.*Fix: give one PEM file/,
    )
    const both = await runCli(['login', '--secret', 'a', '--certificate', 'b'], { env: env('bad') })
    assert.equal(both.code, 2)
    assert.equal(both.stderr, 'graph-connect login: give --secret or --certificate, not both.\n')
    const flag = await runCli(['login', '--devicecode'], { env: env('bad') })
    assert.equal(flag.code, 2)
    assert.match(flag.stderr, /^graph-connect: login: Unknown option '--devicecode'/)
    assert.deepEqual(
      readdirSync(scratch.dir).includes('bad') ? readdirSync(join(scratch.dir, 'bad')) : [],
      [],
    )
  })
})

test('a revoked sign-in: the next command exits 3 and says to run graph-connect login', async () => {
  // Access tokens of 60 s are within msal's 5-minute renewal margin: every command refreshes, so the revocation shows.
  const system = await startSystem({
    emulator: { deviceCodeIntervalSeconds: 1, accessTokenLifetimeSeconds: 60 },
  })
  const scratch = scratchDir('gc-cli-revoked')
  const env = cliEnv(scratch.dir, { EMULATOR_URL: system.emulator.url })
  try {
    const nestor = system.user('nestor')
    assert.equal((await deviceCodeLogin([], { env }, nestor)).code, 0)
    const before = await runCli(['messages', '--top', '1'], { env })
    assert.equal(before.code, 0, before.stderr)
    await system.client.revokeRefreshTokens({ user: nestor.userPrincipalName, clientId: CLI_APP })
    const send = await runCli(['send', '--to', 'lea@contoso.test', '--body', 'x'], { env })
    assert.equal(send.code, 3, send.stderr)
    assert.match(
      send.stderr,
      /^graph-connect: the sign-in of connection "default" has expired or was revoked \(AADSTS50173\): run graph-connect login\.\n$/,
    )
    const sent = await system.client.journal({ method: 'POST', path: '/sendMail' })
    assert.equal(sent.length, 0, 'nothing was sent')
  } finally {
    await system.close()
    scratch.remove()
  }
})

test('no emulator running: login starts one in process on data/emulator and listens for the device page; send then runs one in process on the same data', async () => {
  const scratch = scratchDir('gc-cli-inprocess')
  const port = await freePort()
  const env = cliEnv(join(scratch.dir, 'home'), { EMULATOR_URL: `http://localhost:${port}` })
  try {
    const cli = startCli(['login', '--device-code'], { env, cwd: scratch.dir })
    const prompt = await deviceCodePrompt(cli)
    assert.equal(prompt.uri, `http://localhost:${port}/devicelogin`)
    assert.match(
      cli.stderr(),
      /This is the offline emulator, started in this process on .*\/data\/emulator \(no emulator answered at/,
    )
    await completeDeviceCode(prompt, {
      userPrincipalName: 'lea@contoso.test',
      password: 'Lea.Demo1',
    })
    const login = await cli.exited
    assert.equal(login.code, 0, login.stderr)
    const send = await runCli(
      ['send', '--to', 'adele@contoso.test', '--subject', 'Offline', '--body', 'Hello'],
      { env, cwd: scratch.dir },
    )
    assert.equal(send.code, 0, send.stderr)
    assert.match(
      send.stderr,
      /no emulator answered at http:\/\/localhost:\d+: this command ran one in its own process/,
    )
    const emulator = await buildEmulator({
      dataDir: join(scratch.dir, 'data', 'emulator'),
      logger: false,
    })
    try {
      const inbox = await emulator.client.messages('adele@contoso.test', { folder: 'inbox' })
      assert.equal(
        inbox[0]?.subject,
        'Offline',
        'the inbox viewer of npm start (same data folder) shows it',
      )
    } finally {
      await emulator.close()
    }
  } finally {
    scratch.remove()
  }
})
