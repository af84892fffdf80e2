/**
 * Conformance: CLI for Microsoft 365 (@pnp/cli-microsoft365) against the emulator. It cannot be given another authority
 * or Graph URL (its clouds are fixed: login.microsoftonline.com, graph.microsoft.com), so it meets the emulator in
 * real-hostname mode: the emulator's TLS certificate carries both names, trust comes from NODE_EXTRA_CA_CERTS, and a
 * preload makes both names dial the emulator's port as a hosts entry and a listener on 443 would. Configured as a user
 * does: `m365 cli config set --key disableTelemetry --value true`, `m365 login --authType deviceCode --appId --tenant`.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { clientLabel } from './kit/client-version.ts'
import { completeDeviceCode } from './kit/device-login.ts'
import { m365Cli } from './kit/m365-cli.ts'
import { startTlsEmulator, type TlsEmulator } from './kit/tls-emulator.ts'

const CLIENT = clientLabel('@pnp/cli-microsoft365')
const LOGIN = 'https://login.microsoftonline.com'
const IMDS = '169.254.169.254'

describe(`${CLIENT} against the emulator (real-hostname mode, NODE_EXTRA_CA_CERTS)`, () => {
  let tls: TlsEmulator
  let m365: ReturnType<typeof m365Cli>
  const home = mkdtempSync(join(tmpdir(), 'conformance-m365-'))
  const refused = join(home, 'refused-hosts.txt')
  const adele = () => tls.emulator.demo.users[0]!
  before(async () => {
    tls = await startTlsEmulator({ deviceCodeIntervalSeconds: 1 })
    m365 = m365Cli({
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      NODE_EXTRA_CA_CERTS: tls.caFile,
      CLIMICROSOFT365_NOUPDATE: '1',
      REAL_HOSTS_PORT: new URL(tls.url).port,
      REAL_HOSTS_REFUSED: refused,
    })
    const telemetry = await m365([
      'cli',
      'config',
      'set',
      '--key',
      'disableTelemetry',
      '--value',
      'true',
    ])
    assert.equal(telemetry.code, 0, telemetry.stderr)
    // Adele has granted the app Mail.Read besides what it signs in with: `.default` (all the CLI asks for) must carry it.
    await tls.emulator.client.grantConsent({
      user: adele().userPrincipalName,
      clientId: tls.emulator.demo.clientId,
      scope: 'User.Read Mail.Send Mail.Read',
    })
  })
  after(async () => {
    await tls.close()
    const attempted = existsSync(refused) ? readFileSync(refused, 'utf8').trim() : ''
    rmSync(home, { recursive: true, force: true })
    // The one other address: Azure's instance metadata service, which applicationinsights (loaded by the CLI whatever
    // disableTelemetry says) probes at start through @azure/monitor-opentelemetry's azureVmDetector. Link-local, not
    // the internet; refused here, unreachable offline. No Microsoft or telemetry host, no update check.
    assert.deepEqual(
      [...new Set(attempted.split('\n').filter(Boolean))],
      [IMDS],
      'the CLI tried no host but the two mapped to the emulator (and the IMDS probe)',
    )
  })

  test(`${CLIENT} login --authType deviceCode: the code completed on the device-login page`, async () => {
    const { demo } = tls.emulator
    let completion: Promise<void> | undefined
    const login = await m365(
      ['login', '--authType', 'deviceCode', '--appId', demo.clientId, '--tenant', demo.tenantId],
      (stderr) => {
        const prompt = /open the page (\S+) and enter the code (\S+) /.exec(stderr)
        if (!prompt || completion) return
        assert.ok(prompt[1]!.startsWith(`${LOGIN}/`), prompt[1])
        // The person opens the page in their browser: here the kit's Browser on the emulator's own URL.
        completion = completeDeviceCode(prompt[1]!.replace(LOGIN, tls.url), prompt[2]!, adele())
      },
    )
    await completion
    assert.equal(login.code, 0, login.stderr)
    const connection = JSON.parse(login.stdout) as { connectedAs: string; authType: string }
    assert.equal(connection.connectedAs, adele().userPrincipalName)
    assert.equal(connection.authType, 'deviceCode')
    const [devicecode] = await tls.emulator.client.journal({ path: '/oauth2/v2.0/devicecode' })
    assert.equal(devicecode?.headers.host, 'login.microsoftonline.com')
  })

  test(`${CLIENT} outlook mail send: POST /v1.0/me/sendMail with the cached token`, async () => {
    const lea = tls.emulator.demo.users[1]!.userPrincipalName
    const since = await tls.emulator.client.mark()
    const sent = await m365([
      'outlook',
      'mail',
      'send',
      '--to',
      `${lea},${adele().userPrincipalName}`,
      '--subject',
      'Sent by CLI for Microsoft 365',
      '--bodyContents',
      'Hello from m365.',
    ])
    assert.equal(sent.code, 0, sent.stderr)
    const inbox = await tls.emulator.client.messages(lea, { folder: 'inbox' })
    const mail = inbox.find((message) => message.subject === 'Sent by CLI for Microsoft 365')
    assert.equal(mail?.from?.emailAddress?.address, adele().userPrincipalName)
    const calls = await tls.emulator.client.journal({ since })
    assert.deepEqual(
      calls.map((entry) => `${entry.method} ${entry.headers.host} ${entry.path} ${entry.status}`),
      ['POST graph.microsoft.com /v1.0/me/sendMail 202'],
      'no new sign-in: the token came from the CLI’s cache',
    )
  })

  test(`${CLIENT} outlook message list --folderName inbox: the mail sent to herself`, async () => {
    const list = await m365([
      'outlook',
      'message',
      'list',
      '--folderName',
      'inbox',
      '--output',
      'json',
    ])
    assert.equal(list.code, 0, list.stderr)
    const messages = JSON.parse(list.stdout) as { subject: string }[]
    assert.ok(Array.isArray(messages))
  })
})
