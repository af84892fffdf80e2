/**
 * RE-09 and RE-10, black-box on a real process: `bin/graph-connect start` (the launcher npm start runs) against an
 * emulator run by the test. The launcher execs Node, so the signalled process is the app itself.
 * SIGTERM while a send is in flight: readiness drops at once (503 or refused), new connections are refused, the send
 * completes once (journal: one sendMail, one delivery) and the process exits 0 within the grace period. A request
 * still running when the grace ends does not keep the process alive.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { DemoUser, EmulatorClient } from '../../src/emulator/index.ts'
import { Browser } from '../kit/browser.ts'
import { freePort } from '../kit/free-port.ts'
import { scratchDir } from '../kit/scratch-dir.ts'
import { SEND_MAIL } from '../kit/faults.ts'
import { launch, type Launched } from '../kit/launched.ts'
import { RELIABILITY, startSystem, type System } from '../kit/system.ts'

let system: System
let emulator: EmulatorClient
let adele: DemoUser
let megan: string

before(async () => {
  system = await startSystem(RELIABILITY)
  emulator = system.client
  adele = system.user('adele')
  megan = system.user('megan').userPrincipalName
})

after(() => system?.close())

interface Running extends Launched {
  url: string
}

async function startProcess(env: Record<string, string>): Promise<Running> {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const settings = await system.settings({
    PUBLIC_URL: url,
    STORE: 'sqlite',
    LOG_LEVEL: 'info',
    SEND_LIMIT_PER_MINUTE: '1000',
    ...env,
  })
  return { ...(await launch('start', { env: settings, cwd: env.CWD })), url }
}

/** The command line of a running process, as the kernel has it. */
function commandLine(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean)
}

/** The launcher exec'd Node on main.ts start (so the signalled process is the app itself). */
function assertLauncherExecdNode(pid: number): void {
  const argv = commandLine(pid)
  assert.match(argv[0]!, /node$/, `the launcher exec'd Node: ${argv.join(' ')}`)
  assert.ok(argv.includes('--max-old-space-size=2047'), argv.join(' '))
  assert.ok(argv.at(-2)!.endsWith('src/cli/main.ts') && argv.at(-1) === 'start', argv.join(' '))
}

const PROBES = 10
const PROBE_GAP_MS = 50

/** GET /readyz `PROBES` times, `PROBE_GAP_MS` apart: each status, or the connection error's code. */
async function probeReadiness(url: string): Promise<(number | string)[]> {
  const probes: (number | string)[] = []
  for (let i = 0; i < PROBES; i++) {
    probes.push(
      await fetch(`${url}/readyz`).then(
        (response) => response.status,
        (error: Error) => (error.cause as { code?: string })?.code ?? error.message,
      ),
    )
    await sleep(PROBE_GAP_MS)
  }
  return probes
}

/** Waits for the process's own "shutting down" log line. */
async function shuttingDown(running: Running): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (running.output.some((line) => line.includes('shutdown.start'))) return
    await sleep(5)
  }
  throw new Error(`no shutdown.start in the log:\n${running.output.slice(-5).join('\n')}`)
}

/** Waits until the emulator has received (and not yet answered) a sendMail. */
async function sendMailInFlight(since: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const entries = await emulator.journal({ since, method: 'POST', path: 'sendMail' })
    if (entries.some((entry) => entry.status === null)) return
    await sleep(20)
  }
  throw new Error('no sendMail in flight')
}

/** One sendMail since the mark, answered 202, and the mail delivered once. */
async function assertSentOnce(mark: number, subject: string): Promise<void> {
  const sends = await emulator.journal({ since: mark, method: 'POST', path: 'sendMail' })
  assert.equal(sends.length, 1)
  assert.equal(sends[0]!.status, 202)
  assert.equal(
    (await emulator.messages(megan, { folder: 'inbox' })).filter(
      (message) => message.subject === subject,
    ).length,
    1,
  )
}

/** An app started on the same port and SQLite file shows the browser its send's success banner. */
async function assertResultAfterRestart(client: Browser, url: string, sqlite: string) {
  const restarted = await system.startApp({
    port: Number(new URL(url).port),
    env: { STORE: 'sqlite', SQLITE_PATH: sqlite },
  })
  try {
    const page = await client.home()
    assert.equal(page.banner?.kind, 'success', page.banner?.text)
  } finally {
    await restarted.close()
  }
}

test('RE-09 SIGTERM during a send: readiness drops at once, the send completes once, exit 0 within the grace', async (t) => {
  const scratch = scratchDir()
  const graceMs = 5000
  const sqlite = join(scratch.dir, 'app.sqlite')
  const running = await startProcess({
    CWD: scratch.dir,
    SQLITE_PATH: sqlite,
    SHUTDOWN_GRACE_MS: String(graceMs),
    GRAPH_TIMEOUT_MS: '10000',
  })
  try {
    assertLauncherExecdNode(running.child.pid!)
    const client = new Browser({ base: running.url })
    await client.signInHome(adele)
    const subject = `RE-09 in flight ${Date.now()}`
    const fields = await client.sendFields({ to: megan, subject, body: 'finishes during shutdown' })
    await emulator.addFault({
      match: SEND_MAIL,
      action: { delayMs: 2000 },
    })
    const mark = await emulator.mark()
    const sending = client.post('/send', fields)
    await sendMailInFlight(mark)

    const signalledAt = Date.now()
    running.child.kill('SIGTERM')
    await shuttingDown(running) // the signal is delivered asynchronously: probe once the process has it
    const probes = await probeReadiness(running.url)
    t.diagnostic(`/readyz after SIGTERM: ${probes.join(', ')}`)
    assert.ok(!probes.includes(200), `readiness after SIGTERM: ${probes.join(', ')}`)
    assert.ok(
      probes.every((probe) => probe === 503 || probe === 'ECONNREFUSED' || probe === 'ECONNRESET'),
      probes.join(', '),
    )
    assert.equal(probes.at(-1), 'ECONNREFUSED', 'new connections are refused')

    const response = await sending
    assert.equal(response.status, 303, 'the in-flight send completed')
    assert.equal(response.headers.get('location'), '/')
    const exit = await running.exited
    assert.equal(exit.code, 0, running.output.slice(-5).join('\n'))
    assert.ok(
      exit.at - signalledAt < graceMs + 1000,
      `exited ${exit.at - signalledAt} ms after SIGTERM`,
    )
    assert.ok(exit.at - signalledAt >= 1000, 'it waited for the in-flight send')

    await assertSentOnce(mark, subject)
    // The result was saved before the exit: a restarted app on the same SQLite file shows it with the same cookie.
    await assertResultAfterRestart(client, running.url, sqlite)
  } finally {
    running.child.kill('SIGKILL')
    scratch.remove()
  }
})

test('RE-09 a request still running at the end of the grace does not keep the process alive', async () => {
  const scratch = scratchDir()
  const graceMs = 1500
  const running = await startProcess({
    CWD: scratch.dir,
    SQLITE_PATH: join(scratch.dir, 'app.sqlite'),
    SHUTDOWN_GRACE_MS: String(graceMs),
    GRAPH_TIMEOUT_MS: '20000',
  })
  try {
    const client = new Browser({ base: running.url })
    await client.signInHome(adele)
    const fields = await client.sendFields({
      to: megan,
      subject: `RE-09 slow ${Date.now()}`,
      body: 'x',
    })
    await emulator.addFault({
      match: SEND_MAIL,
      action: { delayMs: 8000 },
    })
    const mark = await emulator.mark()
    const sending = client.post('/send', fields).then(
      (page) => page.status,
      () => 'connection closed',
    )
    await sendMailInFlight(mark)
    const signalledAt = Date.now()
    running.child.kill('SIGTERM')
    const exit = await running.exited
    assert.ok(
      exit.at - signalledAt < graceMs + 1000,
      `exited ${exit.at - signalledAt} ms after SIGTERM`,
    )
    assert.notEqual(exit.signal, 'SIGKILL')
    assert.equal(await sending, 'connection closed')
    assert.equal(
      (await emulator.journal({ since: mark, method: 'POST', path: 'sendMail' })).length,
      1,
      'never retried',
    )
  } finally {
    running.child.kill('SIGKILL')
    await emulator.clearFaults()
    scratch.remove()
  }
})
