/** `login`: sign in — in the browser, by device code, or as the app (secret, certificate) — into a named connection. */
import { createConnectionStore, type ConnectionRecord } from '../../core/index.ts'
import { appOnlySignIn, readCredential } from '../app-only-sign-in.ts'
import { reportFailure, say } from '../cli-failure.ts'
import { EXIT, type Command, type OptionValues } from '../command.ts'
import {
  CONNECTION_HELP,
  CONNECTION_OPTION,
  formatAndConnection,
  settingsOrExit,
  usageProblem,
} from '../common-options.ts'
import { DEFAULT_SCOPES, delegatedSignIn, inProcessNote } from '../delegated-sign-in.ts'
import { readEnv } from '../env.ts'
import { loginTarget, type LoginTarget } from '../login-target.ts'
import { canOpenBrowser } from '../open-browser.ts'
import { formatRecord, OUTPUT_HELP, OUTPUT_OPTION, type OutputFormat } from '../output.ts'
import { connectionSummary, SUMMARY_LABELS } from './status.ts'

export const loginCommand: Command = {
  name: 'login',
  summary: 'sign in (browser, device code, or app-only) and keep the tokens, encrypted',
  synopsis:
    '[--device-code | --browser] [--secret <value|-> | --certificate <pem>] [--tenant <t>] [--client-id <id>] [--connection <name>]',
  details: [
    'In a terminal with a browser: the browser (authorization code + PKCE on http://localhost:<port>), the URL printed too.',
    'Over SSH, in CI, without a terminal or with --device-code: a code to enter at the sign-in page on any device.',
    '--device-code       sign in with a code on another device',
    '--browser           open the browser even where a device code would be chosen',
    '--secret <value|->  app-only (client credentials) with a client secret; "-" reads it from stdin (not in ps)',
    '--certificate <f>   app-only with a certificate: one PEM file holding the private key and the certificate',
    '--client-id <id>    the app registration (default CLIENT_ID; none: the emulator)',
    '--tenant <t>        tenant id or domain (default: common, app-only: required; the emulator: its tenant)',
    '--authority <url>   the cloud: https://login.microsoftonline.us (US Gov), https://login.partner.microsoftonline.cn',
    '--graph-url <url>   Microsoft Graph when it is not the cloud’s usual one (GRAPH_BASE_URL)',
    `--scopes <list>     delegated permissions asked for (default "${DEFAULT_SCOPES.join(' ')}")`,
    CONNECTION_HELP,
    OUTPUT_HELP,
    'Tokens are kept in $GRAPH_CONNECT_HOME, $XDG_CONFIG_HOME/graph-connect or ~/.config/graph-connect: AES-256-GCM,',
    'the key in a separate file, the folder 0700 and every file 0600. Without CLIENT_ID, the emulator (EMULATOR_URL).',
  ],
  options: {
    ...CONNECTION_OPTION,
    ...OUTPUT_OPTION,
    'device-code': { type: 'boolean' },
    browser: { type: 'boolean' },
    secret: { type: 'string' },
    certificate: { type: 'string' },
    'client-id': { type: 'string' },
    tenant: { type: 'string' },
    authority: { type: 'string' },
    'graph-url': { type: 'string' },
    scopes: { type: 'string' },
  },
  oneShot: true,
  run: (values) => login(values),
}

async function login(values: OptionValues): Promise<number> {
  const options = formatAndConnection('login', values)
  if (typeof options === 'number') return options
  const { format, name } = options
  const problem = optionProblem(values)
  if (problem) return usageProblem('login', problem)
  const env = readEnv()
  const settings = settingsOrExit(env)
  if (typeof settings === 'number') return settings
  const appOnly = values.secret !== undefined || values.certificate !== undefined
  const credential = appOnly ? readCredential(values) : undefined
  if (credential && 'problem' in credential) {
    say(credential.problem)
    return EXIT.failed
  }
  let target: LoginTarget | { problem: string }
  try {
    target = await loginTarget(settings, values, appOnly)
  } catch (error) {
    return reportFailure(error, { connection: name })
  }
  if ('problem' in target) return usageProblem('login', target.problem)
  try {
    const record = credential
      ? await appOnlySignIn(target, credential, { name, idpTimeoutMs: settings.idpTimeoutMs })
      : await delegatedSignIn(target, {
          name,
          scopes: values.scopes
            ? String(values.scopes)
                .split(/[\s,]+/)
                .filter(Boolean)
            : DEFAULT_SCOPES,
          browser:
            Boolean(values.browser) ||
            (!values['device-code'] && canOpenBrowser(env, isInteractive())),
          env,
          idpTimeoutMs: settings.idpTimeoutMs,
        })
    createConnectionStore(settings.home).write(record)
    process.stdout.write(signedInText(record, format, target))
    inProcessNote(target)
    return EXIT.ok
  } catch (error) {
    return reportFailure(error, { connection: name })
  } finally {
    await target.close()
  }
}

const isInteractive = () => Boolean(process.stdin.isTTY && process.stderr.isTTY)

function optionProblem(values: OptionValues): string | undefined {
  if (values.secret !== undefined && values.certificate !== undefined)
    return 'give --secret or --certificate, not both.'
  const appOnly = values.secret !== undefined || values.certificate !== undefined
  if (appOnly && (values['device-code'] || values.browser))
    return '--secret and --certificate sign the app in by itself: no browser, no device code.'
  if (values['device-code'] && values.browser) return 'give --device-code or --browser, not both.'
  if (appOnly && values.scopes)
    return 'app-only tokens carry the application permissions granted to the app: --scopes does not apply.'
  return undefined
}

function signedInText(record: ConnectionRecord, format: OutputFormat, target: LoginTarget): string {
  const summary = connectionSummary(record)
  if (format !== 'text') return formatRecord(summary, SUMMARY_LABELS, format)
  const who =
    record.kind === 'delegated'
      ? `${record.account!.name} <${record.account!.username}>`
      : `the app ${record.clientId} (app-only: name the mailbox with --from or --mailbox)`
  const where = target.emulator
    ? `  The emulator at ${target.emulator.link.url}; its inbox viewer: ${target.emulator.link.url}/\n`
    : `  ${record.authority}\n`
  return `Signed in as ${who}.\n  Connection "${record.name}", tenant ${summary.tenant}\n${where}`
}
