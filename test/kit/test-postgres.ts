/**
 * `startTestPostgres`: the suite's PostgreSQL, for the global setup — TEST_DATABASE_URL if set; else a private cluster
 * made here (initdb into a temporary folder, a free port on 127.0.0.1, nothing synced to disk) and removed at the end;
 * else one answering on 127.0.0.1:5432; else an error saying what to install. Sets TEST_DATABASE_URL for the tests.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { freePort } from './free-port.ts'

export interface TestPostgres {
  stop(): Promise<void>
}

const SHARED = 'postgresql://postgres@127.0.0.1:5432/postgres'

export async function startTestPostgres(): Promise<TestPostgres | undefined> {
  const given = process.env.TEST_DATABASE_URL
  if (given) {
    if (!(await answers(given)))
      throw new Error(
        `TEST_DATABASE_URL=${given} does not answer. Start that PostgreSQL, or unset TEST_DATABASE_URL.`,
      )
    return undefined
  }
  const bin = serverBinaries()
  if (bin) {
    const cluster = await startCluster(bin)
    process.env.TEST_DATABASE_URL = cluster.url
    return cluster
  }
  if (await answers(SHARED)) {
    process.env.TEST_DATABASE_URL = SHARED
    return undefined
  }
  throw new Error(
    'The suite needs PostgreSQL (the merge journal tests), and none was found: no initdb/postgres (pg_config ' +
      '--bindir, /usr/lib/postgresql/*/bin, PATH) and nothing on 127.0.0.1:5432. Install it (Debian/Ubuntu: ' +
      'sudo apt-get install postgresql; macOS: brew install postgresql), or set ' +
      'TEST_DATABASE_URL=postgres://user@host:port/database.',
  )
}

/** The folder holding initdb and postgres: pg_config's, Debian's newest, or PATH's (''). */
function serverBinaries(): string | undefined {
  const has = (folder: string) =>
    existsSync(join(folder, 'initdb')) && existsSync(join(folder, 'postgres'))
  const configured = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' })
  if (configured.status === 0 && has(configured.stdout.trim())) return configured.stdout.trim()
  const debian = '/usr/lib/postgresql'
  const versions = existsSync(debian)
    ? readdirSync(debian)
        .filter((version) => has(join(debian, version, 'bin')))
        .sort((a, b) => Number(b) - Number(a))
    : []
  if (versions.length) return join(debian, versions[0]!, 'bin')
  const onPath = (name: string) => spawnSync(name, ['--version']).status === 0
  return onPath('initdb') && onPath('postgres') ? '' : undefined
}

/**
 * PostgreSQL refuses to run as root: when the suite runs as root (a container, CI), the cluster belongs to the
 * `postgres` user and its commands run as that user.
 */
function asServerUser(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0
    ? ['runuser', ['-u', 'postgres', '--', command, ...args]]
    : [command, args]
}

async function startCluster(bin: string): Promise<TestPostgres & { url: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'graph-connect-pg-'))
  if (process.getuid?.() === 0) spawnSync('chown', ['postgres:', dir])
  const tool = (name: string) => (bin ? join(bin, name) : name)
  const init = spawnSync(
    ...asServerUser(tool('initdb'), [
      '-D',
      dir,
      '-A',
      'trust',
      '-U',
      'postgres',
      '--no-sync',
      '--no-locale',
      '-E',
      'UTF8',
    ]),
    { encoding: 'utf8' },
  )
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true })
    throw new Error(`initdb failed (${tool('initdb')}):\n${init.stderr || init.error}`)
  }
  const port = await freePort()
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`
  const log = openSync(join(dir, 'server.log'), 'a')
  const settings = [
    'listen_addresses=127.0.0.1',
    'fsync=off',
    'full_page_writes=off',
    'synchronous_commit=off',
    'max_connections=300',
  ]
  const server = spawn(
    ...asServerUser(tool('postgres'), [
      '-D',
      dir,
      '-p',
      String(port),
      '-k',
      dir,
      ...settings.flatMap((s) => ['-c', s]),
    ]),
    { stdio: ['ignore', log, log] },
  )
  const stop = () => stopCluster(server, dir)
  for (let attempt = 0; attempt < 300 && server.exitCode === null; attempt++) {
    if (await answers(url)) return { url, stop }
    await sleep(50)
  }
  const output = readFileSync(join(dir, 'server.log'), 'utf8')
  await stop()
  throw new Error(`PostgreSQL did not start on 127.0.0.1:${port}:\n${output}`)
}

/** A fast shutdown of the postmaster (its pid from postmaster.pid: runuser stands between), then the folder goes. */
async function stopCluster(server: ChildProcess, dir: string): Promise<void> {
  if (server.exitCode === null && server.signalCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve))
    const pid = Number(readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n')[0])
    try {
      process.kill(pid || server.pid!, 'SIGINT')
    } catch {
      server.kill('SIGKILL')
    }
    const timer = setTimeout(() => server.kill('SIGKILL'), 10_000)
    await exited
    clearTimeout(timer)
  }
  rmSync(dir, { recursive: true, force: true })
}

/** True when a PostgreSQL at `url` accepts a connection and answers within two seconds. */
async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 })
  client.on('error', () => undefined)
  try {
    await client.connect()
    await client.query('SELECT 1')
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => undefined)
  }
}
