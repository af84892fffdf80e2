/**
 * A mail merge in a real terminal (tmux), as a person follows it: the dry run's preview, then the progress bar with
 * its rate, time left and rows by state, redrawn in place, and the summary at the end; `merge status` from the same
 * shell afterwards. With SCREENSHOTS=1 the screen mid-run is rendered to docs/screenshots/merge-progress.png.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCli, cliEnv } from './kit/cli-process.ts'
import { scratchDir } from './kit/scratch-dir.ts'
import { startSystem, type System } from './kit/system.ts'
import { startTerminal, type Terminal } from './kit/terminal.ts'

const ROWS = 240
let system: System
let terminal: Terminal
const scratch = scratchDir('gc-merge-terminal')

before(async () => {
  system = await startSystem({
    emulator: { throttling: { sendsPerMinute: 20, sendWindowSeconds: 1, requestsPer10Min: 1e6 } },
  })
  const { demo } = system.emulator
  await system.client.grantConsent({
    clientId: demo.clientId,
    admin: true,
    roles: ['Mail.ReadWrite'],
  })
  const env = { GRAPH_CONNECT_HOME: join(scratch.dir, 'home'), EMULATOR_URL: system.emulator.url }
  const login = await runCli(['login', '--secret', '-'], {
    env: cliEnv(env.GRAPH_CONNECT_HOME, { EMULATOR_URL: env.EMULATOR_URL }),
    input: `${demo.clientSecret}\n`,
  })
  assert.equal(login.code, 0, login.stderr)
  const names = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken']
  const rows = ['to,first_name,company']
  for (let row = 1; row <= ROWS; row++)
    rows.push(`guest${row}@fabrikam.example,${names[row % names.length]},Fabrikam ${row}`)
  writeFileSync(join(scratch.dir, 'guests.csv'), `${rows.join('\n')}\n`)
  writeFileSync(
    join(scratch.dir, 'invite.md'),
    'Dear {{first_name}},\n\n**{{company}}** is invited to the *Contoso* partner day.\n',
  )
  terminal = startTerminal('merge', scratch.dir, env)
})

after(async () => {
  terminal?.close()
  await system.close()
  scratch.remove()
})

test('in a terminal: the dry run, then a bar with rate, ETA and rows by state, then the summary', async () => {
  await terminal.until(/^\$\s*$/)
  const merge =
    'graph-connect merge guests.csv --name partner-day --subject "Partner day, {{first_name}}" --body-file invite.md --from adele@contoso.test,lea@contoso.test,megan@contoso.test --sends 20/1s'
  terminal.type(`${merge} --dry-run --previews 1; echo "exit code $?"`)
  await terminal.until(/240 rows: 240 ready, 0 with problems; 240 recipients, no attachments\./)
  await terminal.until(
    /Subject: Partner day, Grace\n\nDear Grace,\n\nFabrikam 1 is invited to the Contoso partner day\./,
  )
  await terminal.until(
    /Nothing was sent\. Run the same command without --dry-run to send\.\nexit code 0\n/,
  )
  terminal.type(`${merge}; echo "exit code $?"`)
  // Mid-run: the bar, a rate, the time left and the rows by state, on one line redrawn in place.
  const bar = await terminal.until(
    /[█░]{24} (\d+)% (\d+)\/240 · ([\d.]+)\/min · ETA \S+ · sent (\d+) · failed 0 · unknown 0/,
  )
  assert.ok(Number(bar[2]) < 240, 'seen before the end')
  await terminal.until(/ (?:[3-7]\d)% \d+\/240 · [1-9][\d.]+\/min/)
  if (process.env.SCREENSHOTS)
    await terminal.screenshot(
      new URL('../docs/screenshots/merge-progress.png', import.meta.url).pathname,
    )
  await terminal.until(
    /merge "partner-day" done: sent 240, failed 0, unknown 0, cancelled 0, left 0 of 240\.\nexit code 0\n/,
  )
  assert.equal(
    terminal.screen().match(/█{24} 100% 240\/240/g)?.length,
    1,
    'one bar, redrawn in place',
  )
  terminal.type('graph-connect merge status; echo "exit code $?"')
  await terminal.until(/partner-day\s+done\s+240\s+240\s+0\s+0\s+0/)
})
