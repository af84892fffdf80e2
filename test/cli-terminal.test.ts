/**
 * The command line in a real terminal (tmux, a private server): the device code prompt and its visible wait, the
 * upload progress bar of a large attachment, and the exit codes, read off the screen as a person sees them. With
 * SCREENSHOTS=1 the screen is also rendered (Chromium, a <pre>) to docs/screenshots/cli-terminal.png.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { launchChromium } from './kit/chromium.ts'
import { completeDeviceCode } from './kit/cli-process.ts'
import { launcher } from './kit/launched.ts'
import { scratchDir } from './kit/scratch-dir.ts'
import { startSystem, type System } from './kit/system.ts'

const socket = `graph-connect-test-${process.pid}`
const tmux = (...args: string[]) =>
  execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' })
/** The screen, wrapped lines joined (-J), trailing blanks dropped. */
const screen = () =>
  tmux('capture-pane', '-p', '-J', '-t', 'cli')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')

/** The screen once it matches (polled: the terminal is drawn asynchronously). */
async function until(pattern: RegExp, limitMs = 60_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + limitMs
  for (;;) {
    const match = screen().match(pattern)
    if (match) return match
    if (Date.now() > deadline) throw new Error(`the terminal never showed ${pattern}:\n${screen()}`)
    await sleep(100)
  }
}

let system: System
const scratch = scratchDir('gc-cli-terminal')

before(async () => {
  system = await startSystem({ emulator: { deviceCodeIntervalSeconds: 1 } })
  const env = {
    GRAPH_CONNECT_HOME: join(scratch.dir, 'home'),
    EMULATOR_URL: system.emulator.url,
    PS1: '$ ',
    TERM: 'xterm-256color',
  }
  // A shell of its own in a 120 × 40 terminal; commands are typed into it as a person would.
  tmux(
    'new-session',
    '-d',
    '-s',
    'cli',
    '-x',
    '120',
    '-y',
    '40',
    'env',
    '-i',
    `PATH=${process.env.PATH}`,
    ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
    'sh',
  )
  tmux(
    'send-keys',
    '-t',
    'cli',
    `cd ${scratch.dir} && alias graph-connect=${launcher} && clear`,
    'Enter',
  )
})

after(async () => {
  try {
    tmux('kill-server')
  } catch {
    // already gone
  }
  await system.close()
  scratch.remove()
})

test('in a terminal: the device code and a visible wait, the progress bar of a 12 MB upload, the exit codes', async () => {
  await until(/^\$\s*$/) // the screen cleared, the prompt alone
  tmux('send-keys', '-t', 'cli', 'graph-connect login; echo "exit code $?"', 'Enter')
  // No browser can be opened here (no display): a terminal without one gets the device code.
  const [, uri, code] = await until(
    /open (\S+) in a browser \(on any device\) and enter the code:\n\n {4}([A-Z0-9]{9})\n/,
  )
  await until(
    /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Waiting for the sign-in to be completed \(the code expires in 15 min; Ctrl\+C cancels\) 0:0\d/,
  )
  await completeDeviceCode({ uri: uri!, code: code! }, system.user('adele'))
  await until(/Signed in as Adele Vance <adele@contoso\.test>\.\n(?:.*\n){2}exit code 0\n/)
  assert.doesNotMatch(screen(), /Waiting for the sign-in/, 'the wait line is cleared once done')

  writeFileSync(join(scratch.dir, 'slides.pdf'), Buffer.alloc(12 * 1024 * 1024, 1))
  tmux(
    'send-keys',
    '-t',
    'cli',
    'graph-connect send --to lea@contoso.test --subject "Slides" --body "The deck." --attach slides.pdf; echo "exit code $?"',
    'Enter',
  )
  const bar = await until(/ {2}slides\.pdf \[(█+)\] 100% {2}12\.0 MB \/ 12\.0 MB\n/)
  assert.equal(bar[1]!.length, 28, 'the bar is full')
  await until(
    /Sent "Slides" from adele@contoso\.test to lea@contoso\.test \(1 recipient, 12\.0 MB, 1 attachment\)\.\n {2}Graph: a draft, attachments uploaded, then sent/,
  )
  await until(/internetMessageId: <[^>]+>\nexit code 0\n/)

  await system.client.addFault({
    match: { method: 'POST', path: '/send$' },
    count: 1,
    action: { status: 503 },
  })
  tmux(
    'send-keys',
    '-t',
    'cli',
    'graph-connect send --to lea@contoso.test --subject Again --body x --attach slides.pdf; echo "exit code $?"',
    'Enter',
  )
  await until(
    /the outcome of the send is unknown \(HTTP 503 on POST …\/send\): the mail may have been sent\.[^\n]*\nexit code 5\n/,
  )
  if (process.env.SCREENSHOTS) await screenshot()
})

/** The screen as a terminal shows it: Chromium renders a <pre> of the captured pane. */
async function screenshot(): Promise<void> {
  const lines = tmux('capture-pane', '-p', '-t', 'cli').trimEnd().split('\n').length
  const text = tmux('capture-pane', '-p', '-t', 'cli')
    .trimEnd()
    .replace(/[&<>]/g, (char) => `&#${char.charCodeAt(0)};`)
  const browser = await launchChromium()
  try {
    const page = await browser.newPage({
      viewport: { width: 1150, height: Math.ceil(lines * 20.25 + 34) },
    })
    await page.setContent(
      `<body style="margin:0;background:#1e1e1e"><pre style="margin:0;padding:16px 18px;color:#e6e6e6;font:15px/1.35 'DejaVu Sans Mono',monospace">${text}</pre></body>`,
    )
    await page.screenshot({
      path: new URL('../docs/screenshots/cli-terminal.png', import.meta.url).pathname,
    })
  } finally {
    await browser.close()
  }
}
