/**
 * The suite's global setup (`npm test` runs it once, before every file): a private Redis and a private PostgreSQL for
 * the tests that need them, so that `npm test` passes on a fresh machine as the README states it (and without a
 * network), and never writes into the developer's own servers. For each, in order: TEST_REDIS_URL / TEST_DATABASE_URL
 * if set; a server started here on a free port (stopped at the end); one already answering on its usual port;
 * otherwise the run stops at once and says what to install.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePort } from './free-port.ts'
import { startTestPostgres, type TestPostgres } from './test-postgres.ts'

let server: ChildProcess | undefined
let postgres: TestPostgres | undefined

export async function globalSetup(): Promise<void> {
  await setUpRedis()
  postgres = await startTestPostgres()
}

async function setUpRedis(): Promise<void> {
  const given = process.env.TEST_REDIS_URL
  if (given) {
    if (!(await answersPing(given)))
      throw new Error(
        `TEST_REDIS_URL=${given} does not answer PING. Start that Redis, or unset TEST_REDIS_URL.`,
      )
    return
  }
  if (spawnSync('redis-server', ['--version']).status === 0) {
    process.env.TEST_REDIS_URL = await startPrivateRedis()
    return
  }
  const shared = 'redis://127.0.0.1:6379'
  if (await answersPing(shared)) {
    process.env.TEST_REDIS_URL = shared
    return
  }
  throw new Error(
    'The suite needs Redis (the Redis store, scale-out and outage tests), and none was found: no redis-server on ' +
      'PATH and nothing on 127.0.0.1:6379. Install it (Debian/Ubuntu: sudo apt-get install redis-server; macOS: ' +
      'brew install redis), or set TEST_REDIS_URL=redis://host:port.',
  )
}

export async function globalTeardown(): Promise<void> {
  await postgres?.stop()
  if (!server || server.exitCode !== null) return
  const exited = new Promise((resolve) => server!.once('exit', resolve))
  server.kill('SIGTERM')
  await exited
}

/** redis-server on 127.0.0.1:<free port>, nothing saved to disk; resolves with its URL once it answers. */
async function startPrivateRedis(): Promise<string> {
  const port = await freePort()
  const url = `redis://127.0.0.1:${port}`
  server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  )
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await answersPing(url)) return url
    if (server.exitCode !== null) break
    await sleep(50)
  }
  server.kill('SIGKILL')
  throw new Error(`redis-server did not start on 127.0.0.1:${port}.`)
}

/** True when a Redis at `url` answers PING within a second (no password: the test Redis has none). */
function answersPing(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    const socket = connect(Number(port || 6379), hostname)
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(1000, () => done(false))
    socket.on('error', () => done(false))
    socket.on('connect', () => socket.write('PING\r\n'))
    socket.on('data', (chunk) => done(chunk.toString().startsWith('+PONG')))
  })
}
