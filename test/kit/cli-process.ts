/**
 * The command line as a user runs it: `runCli` (bin/graph-connect as a real process, its output and exit code),
 * `startCli` (one still running, its stderr watched: a login waiting for its device code), `completeDeviceCode` (the
 * emulator's device-login pages driven over HTTP with their forms), `cliEnv` and `HTTP_BROWSER` (a browser for
 * `login --browser`: test/kit/http-browser.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Browser, type Credentials } from './browser.ts'
import { launcher } from './launched.ts'

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

export interface RunningCli {
  child: ChildProcess
  stdout(): string
  stderr(): string
  /** Resolves with stderr once it matches (rejects if the process ends first). */
  waitForStderr(pattern: RegExp): Promise<RegExpMatchArray>
  exited: Promise<CliResult>
}

/** The command line's own settings only: no CLIENT_ID from the machine, the tokens in `home`. */
export function cliEnv(home: string, more: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/root',
    GRAPH_CONNECT_HOME: home,
    ...more,
  }
}

/** A browser for `login --browser`, as $BROWSER: it signs in as HTTP_BROWSER_USER ("upn:password") over HTTP. */
export const HTTP_BROWSER = `${process.execPath} ${fileURLToPath(new URL('./http-browser.ts', import.meta.url))}`

export interface CliOptions {
  env: Record<string, string>
  cwd?: string
  input?: string | Buffer
  /** Another program than bin/graph-connect (the bench runs m365 with the same helper). */
  command?: string
}

export function startCli(args: string[], options: CliOptions): RunningCli {
  const child = spawn(options.command ?? launcher, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  child.stdin!.end(options.input ?? '')
  const exited = new Promise<CliResult>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  )
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitForStderr: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = stderr.match(pattern)
          if (!match) return false
          child.stderr!.off('data', check)
          resolve(match)
          return true
        }
        if (check()) return
        child.stderr!.on('data', check)
        void exited.then((result) =>
          reject(
            new Error(`exited ${result.code} before ${pattern}:\n${result.stderr}${result.stdout}`),
          ),
        )
      }),
  }
}

/** Runs to the end (asynchronously: an emulator in the test's own process keeps answering meanwhile). */
export function runCli(args: string[], options: CliOptions): Promise<CliResult> {
  return startCli(args, options).exited
}

/** The code and page a device-code login printed on stderr. */
export async function deviceCodePrompt(cli: RunningCli): Promise<{ uri: string; code: string }> {
  const match = await cli.waitForStderr(/open (\S+) in a browser[^\n]*\n\n {4}([A-Z0-9]+)\n/)
  return { uri: match[1]!, code: match[2]! }
}

/**
 * At the emulator's device-login page, as a person with a browser: the code, "Continue", the user name, the password,
 * "Stay signed in?", consent. Returns the last page's text.
 */
export async function completeDeviceCode(
  prompt: { uri: string; code: string },
  user: Credentials,
): Promise<string> {
  const browser = new Browser()
  const entry = await browser.open(prompt.uri)
  const confirm = await browser.submit(entry, { otc: prompt.code })
  let page = await browser.submit(confirm, { device: 'continue' })
  const steps: [string, Record<string, string>][] = [
    ['email', { loginfmt: user.userPrincipalName }],
    ['password', { passwd: user.password }],
    ['kmsi', { kmsi: 'no' }],
    ['consent', { consent: 'accept' }],
  ]
  for (const [step, fields] of steps)
    if (page.body.includes(`name="step" value="${step}"`)) page = await browser.submit(page, fields)
  return page.body
}

/** `login --device-code` completed by `user`: the process's result. */
export async function deviceCodeLogin(
  args: string[],
  options: { env: Record<string, string>; cwd?: string },
  user: Credentials,
): Promise<CliResult & { prompt: { uri: string; code: string }; page: string }> {
  const cli = startCli(['login', '--device-code', ...args], options)
  const prompt = await deviceCodePrompt(cli)
  const page = await completeDeviceCode(prompt, user)
  return { ...(await cli.exited), prompt, page }
}
