/**
 * `delegatedSignIn`: a user signs in for the command line — in the browser (authorization code + PKCE, the answer on
 * a loopback redirect http://localhost:<port>) or by device code (a code to enter on another device: over SSH, in CI,
 * or asked) — and the connection record to keep; `DEFAULT_SCOPES`.
 */
import {
  createPublicClient,
  resolveAuthority,
  type ConnectionRecord,
  type PublicClient,
  type SignedIn,
} from '../core/index.ts'
import { qualifiedScopes } from './clouds.ts'
import { say } from './cli-failure.ts'
import type { Env } from './env.ts'
import type { LoginTarget } from './login-target.ts'
import { openBrowser } from './open-browser.ts'
import { waitIndicator } from './wait-indicator.ts'

/** Read the profile, read and write mail (drafts, large attachments), send; msal adds openid, profile, offline_access. */
export const DEFAULT_SCOPES = ['User.Read', 'Mail.ReadWrite', 'Mail.Send']

export interface DelegatedOptions {
  name: string
  scopes: string[]
  browser: boolean
  env: Env
  idpTimeoutMs: number
}

const PAGE = (title: string, text: string) =>
  `<!doctype html><html lang="en"><meta charset="utf-8"><title>${title}</title>` +
  `<body style="font:16px system-ui,sans-serif;margin:3em auto;max-width:32em"><h1>${title}</h1><p>${text}</p></body></html>`

export async function delegatedSignIn(
  target: LoginTarget,
  options: DelegatedOptions,
): Promise<ConnectionRecord> {
  const authority = await resolveAuthority(target.authority, target.fetch, options.idpTimeoutMs)
  let serialized = ''
  const client = await createPublicClient({
    clientId: target.clientId,
    authority,
    fetch: target.fetch,
    timeoutMs: options.idpTimeoutMs,
    cache: { load: () => serialized, save: (value) => void (serialized = value) },
  })
  const scopes = qualifiedScopes(options.scopes, target.graph.resource)
  const signedIn = options.browser
    ? await inBrowser(client, scopes, target, options.env)
    : await byDeviceCode(client, scopes, target)
  const now = new Date().toISOString()
  return {
    name: options.name,
    kind: 'delegated',
    clientId: target.clientId,
    authority: target.authority,
    graphBaseUrl: target.graph.baseUrl,
    scopes,
    metadata: { ...authority.metadata },
    account: signedIn.account,
    msalCache: serialized,
    ...(target.emulator ? { emulatorDataDir: target.emulator.dataDir } : {}),
    createdAt: now,
    updatedAt: now,
  }
}

async function byDeviceCode(
  client: PublicClient,
  scopes: string[],
  target: LoginTarget,
): Promise<SignedIn> {
  let waiting: { stop(): void } | undefined
  try {
    return await client.signInWithDeviceCode(scopes, (prompt) => {
      const minutes = Math.round(prompt.expiresInSeconds / 60)
      process.stderr.write(
        `To sign in, open ${prompt.verificationUri} in a browser (on any device) and enter the code:\n\n` +
          `    ${prompt.userCode}\n\n` +
          (target.emulator ? `${emulatorHint(target)}\n` : ''),
      )
      waiting = waitIndicator(
        `Waiting for the sign-in to be completed (the code expires in ${minutes} min; Ctrl+C cancels)`,
      )
    })
  } finally {
    waiting?.stop()
  }
}

async function inBrowser(
  client: PublicClient,
  scopes: string[],
  target: LoginTarget,
  env: Env,
): Promise<SignedIn> {
  let waiting: { stop(): void } | undefined
  try {
    return await client.signInInteractive(scopes, {
      async openBrowser(url) {
        const redirectUri = new URL(url).searchParams.get('redirect_uri')
        // The emulator matches redirect URIs exactly; Entra ignores a loopback URI's port for desktop apps.
        if (target.emulator && redirectUri)
          await target.emulator.link.client.addRedirectUri(target.clientId, redirectUri)
        process.stderr.write(
          `Opening your browser to sign in. If it does not open, go to:\n\n    ${url}\n\n` +
            (target.emulator ? `${emulatorHint(target)}\n` : ''),
        )
        openBrowser(url, env)
        waiting = waitIndicator('Waiting for the sign-in in the browser (Ctrl+C cancels)')
      },
      successPage: PAGE(
        'Signed in',
        'Graph Connect has your sign-in. You can close this tab and return to the terminal.',
      ),
      errorPage: PAGE('Sign-in failed', 'The terminal says why. You can close this tab.'),
    })
  } finally {
    waiting?.stop()
  }
}

function emulatorHint(target: LoginTarget): string {
  const where = target.emulator!.link.inProcess
    ? `started in this process on ${target.emulator!.dataDir} (no emulator answered at ${target.emulator!.link.url})`
    : `at ${target.emulator!.link.url}`
  return `This is the offline emulator, ${where}: sign in as a demo user, e.g. adele@contoso.test / Adele.Demo1.`
}

/** Said after a sign-in against an emulator that ran in this process. */
export function inProcessNote(target: LoginTarget): void {
  if (target.emulator?.link.inProcess)
    say(
      `the emulator ran in this process for the sign-in and stops now; later commands use npm start's (or npm run emulator's) at ${target.emulator.link.url}, or start one again on ${target.emulator.dataDir}.`,
    )
}
