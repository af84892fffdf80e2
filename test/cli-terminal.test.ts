/**
 * The command line in a real terminal (tmux, a private server): the device code prompt and its visible wait, the
 * upload progress bar of a large attachment, and the exit codes, read off the screen as a person sees them. With
 * SCREENSHOTS=1 the screen is also rendered (Chromium, a <pre>) to docs/screenshots/cli-terminal.png.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { completeDeviceCode } from './kit/cli-process.ts'
import { scratchDir } from './kit/scratch-dir.ts'
import { startSystem, type System } from './kit/system.ts'
import { startTerminal, type Terminal } from './kit/terminal.ts'

let system: System
const scratch = scratchDir('gc-cli-terminal')

let terminal: Terminal
const until = (pattern: RegExp, limitMs?: number) => terminal.until(pattern, limitMs)
const screen = () => terminal.screen()

before(async () => {
  system = await startSystem({ emulator: { deviceCodeIntervalSeconds: 1 } })
  terminal = startTerminal('cli', scratch.dir, {
    GRAPH_CONNECT_HOME: join(scratch.dir, 'home'),
    EMULATOR_URL: system.emulator.url,
  })
})

after(async () => {
  terminal.close()
  await system.close()
  scratch.remove()
})

test('in a terminal: the device code and a visible wait, the progress bar of a 12 MB upload, the exit codes', async () => {
  await until(/^\$\s*$/) // the screen cleared, the prompt alone
  terminal.type('graph-connect login; echo "exit code $?"')
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
  terminal.type(
    'graph-connect send --to lea@contoso.test --subject "Slides" --body "The deck." --attach slides.pdf; echo "exit code $?"',
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
  terminal.type(
    'graph-connect send --to lea@contoso.test --subject Again --body x --attach slides.pdf; echo "exit code $?"',
  )
  await until(
    /the outcome of the send is unknown \(HTTP 503 on POST …\/send\): the mail may have been sent\.[^\n]*\nexit code 5\n/,
  )
  if (process.env.SCREENSHOTS)
    await terminal.screenshot(
      new URL('../docs/screenshots/cli-terminal.png', import.meta.url).pathname,
    )
})
