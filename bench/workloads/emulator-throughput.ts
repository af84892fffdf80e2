/** The emulator's own throughput, throttling off: authorization-code redemptions/s and sendMail/s. */
import { Browser } from '../lib/browser.ts'
import {
  authorizeUrl,
  passwordGrant,
  pkcePair,
  REDIRECT_URI,
  signInAtEmulator,
} from '../lib/entra.ts'
import type { Demo } from '../lib/entra.ts'
import { assertHealthy, runLoad } from '../lib/load.ts'
import type { LoadResult } from '../lib/load.ts'
import { cores } from '../lib/options.ts'
import type { BenchOptions } from '../lib/options.ts'
import { round } from '../lib/stats.ts'
import { startSubject } from '../lib/subject.ts'
import type { Subject, Usage } from '../lib/subject.ts'

const EMULATOR = new URL('../subjects/emulator.ts', import.meta.url).pathname

export async function emulatorThroughput(options: BenchOptions) {
  const emulator = await startSubject('emulator', EMULATOR, {
    cpu: cores(options).subject,
    verbose: options.verbose,
    profileDir: options.profileDir ? `${options.profileDir}/emulator` : undefined,
  })
  try {
    const demo = emulator.info.demo as Demo
    const redemptions = await measureRedemptions(options, emulator, demo)
    const sendMail = await measureSendMail(options, emulator, demo)
    return { redemptions, sendMail }
  } finally {
    await emulator.stop()
  }
}

async function measureRedemptions(options: BenchOptions, emulator: Subject, demo: Demo) {
  const { verifier, challenge } = pkcePair()
  const codes = await mintCodes(
    emulator.url,
    demo,
    challenge,
    Math.max(200, Math.round(options.duration * 600)),
  )
  const warmupCount = Math.min(codes.length >> 2, Math.round(options.warmup * 300))
  const tokenUrl = `${emulator.url}/${demo.tenantId}/oauth2/v2.0/token`
  const redeem = (batch: string[]) => {
    let next = 0
    return runLoad({
      url: tokenUrl,
      connections: Math.min(options.connections, batch.length),
      duration: options.duration,
      amount: batch.length,
      method: 'POST',
      setupRequest: (request) => ({
        ...request,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: tokenRequestBody(demo, batch[next++ % batch.length], verifier),
      }),
    })
  }
  if (warmupCount > 0) await redeem(codes.slice(0, warmupCount))
  const measured = codes.slice(warmupCount)
  const before = await emulator.usage()
  const result = await redeem(measured)
  assertHealthy('emulator redemptions', result)
  return summarize(result, before, await emulator.usage(), 500)
}

function tokenRequestBody(demo: Demo, code: string, verifier: string): string {
  // What msal-node's ConfidentialClientApplication posts for acquireTokenByCode.
  return new URLSearchParams({
    client_id: demo.clientId,
    redirect_uri: REDIRECT_URI,
    scope: 'https://graph.microsoft.com/Mail.Send openid profile offline_access',
    code,
    grant_type: 'authorization_code',
    client_info: '1',
    client_secret: demo.clientSecret,
    code_verifier: verifier,
  }).toString()
}

/** Signs in once (password posted), then mints codes through the SSO session, 16 authorizations at a time. */
async function mintCodes(
  emulatorUrl: string,
  demo: Demo,
  challenge: string,
  count: number,
): Promise<string[]> {
  const browser = new Browser()
  const user = demo.users[0]
  const first = await signInAtEmulator(browser, authorizeUrl(emulatorUrl, demo, challenge), user)
  const codes = [codeOf(first)]
  const worker = async () => {
    while (codes.length < count) {
      const back = await signInAtEmulator(browser, authorizeUrl(emulatorUrl, demo, challenge), user)
      codes.push(codeOf(back))
    }
  }
  await Promise.all(Array.from({ length: 16 }, worker))
  return codes.slice(0, count)
}

function codeOf(location: string): string {
  const url = new URL(location)
  const code = url.searchParams.get('code')
  if (!code) throw new Error(`authorize did not return a code: ${location}`)
  return code
}

async function measureSendMail(options: BenchOptions, emulator: Subject, demo: Demo) {
  const user = demo.users[0]
  const token = await passwordGrant(emulator.url, demo, user)
  const load = (duration: number) =>
    runLoad({
      url: `${emulator.url}/v1.0/me/sendMail`,
      connections: options.connections,
      duration,
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(sendMailBody(user.userPrincipalName)),
      expectStatus: 202,
    })
  if (options.warmup > 0) await load(options.warmup)
  const before = await emulator.usage()
  const result = await load(options.duration)
  assertHealthy('emulator sendMail', result)
  return summarize(result, before, await emulator.usage(), 3000)
}

export function sendMailBody(address: string) {
  return {
    message: {
      subject: 'Welcome to Microsoft Graph development with Node.js',
      body: {
        contentType: 'HTML',
        content: '<p>Congratulations on sending a mail through <b>Microsoft Graph</b>.</p>',
      },
      toRecipients: [{ emailAddress: { address } }],
    },
    saveToSentItems: true,
  }
}

function summarize(result: LoadResult, before: Usage, after: typeof before, floor: number) {
  const cpuMicros = after.cpuMicros - before.cpuMicros
  return {
    perSecond: result.perSecond,
    requests: result.ok,
    seconds: round(result.seconds),
    latencyMs: result.latency,
    emulatorCpuMsPerRequest: round(cpuMicros / 1000 / Math.max(1, result.ok)),
    floor,
    pass: result.perSecond >= floor,
  }
}
