/**
 * The CLI as a process: configuration problems are listed with their fix and exit 1; usage for unknown commands;
 * the launcher (bin/graph-connect) on a PATH without the pinned Node.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePort } from './kit/free-port.ts'
import { launch } from './kit/launched.ts'

const main = new URL('../src/cli/main.ts', import.meta.url).pathname

function run(
  args: string[],
  env: Record<string, string>,
  cwd = mkdtempSync(join(tmpdir(), 'gc-cli-')),
) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^(CLIENT_|AUTHORITY|SESSION_SECRET|STORE|PUBLIC_URL|NODE_ENV)/.test(name),
    ),
  )
  return spawnSync(process.execPath, [main, ...args], {
    cwd,
    env: { ...clean, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  })
}

test('start with a client id but no secret lists every problem with its fix and exits 1', () => {
  const result = run(['start'], { CLIENT_ID: 'abc', SESSION_SECRET: 'short' })
  assert.equal(result.status, 1)
  assert.match(result.stdout, /CLIENT_SECRET is missing/)
  assert.match(result.stdout, /Fix: Create a client secret/)
  assert.match(result.stdout, /SESSION_SECRET is 5 characters long/)
  assert.doesNotMatch(result.stdout + result.stderr, /at .*\.ts:\d+/, 'no stack trace')
})

test('start reads .env from the working directory; the environment wins over it', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'gc-cli-'))
  writeFileSync(join(cwd, '.env'), 'CLIENT_ID=from-dotenv\nAUTHORITY=not a url\n')
  const result = run(['start'], { AUTHORITY: 'https://login.microsoftonline.com/' }, cwd)
  assert.equal(result.status, 1)
  assert.match(
    result.stdout,
    /CLIENT_SECRET is missing/,
    'CLIENT_ID came from .env, so no emulator was started',
  )
  assert.match(result.stdout, /AUTHORITY has no tenant/, 'the environment value was used')
})

test('help, per-command help and --version exit 0; an unknown command or option, or a bad --port, exit 2 with the usage', () => {
  const help = run(['--help'], {})
  assert.equal(help.status, 0)
  assert.match(help.stdout, /Usage: graph-connect <command> \[options\]/)
  assert.match(help.stdout, /Exit codes: 0 done; 1 refused or failed .*; 2 a wrong command line\./)
  for (const name of ['start', 'emulator']) {
    const own = run([name, '--help'], {})
    assert.equal(own.status, 0, `${name} --help`)
    assert.match(own.stdout, new RegExp(`^Usage: graph-connect ${name}`))
    assert.equal(run(['help', name], {}).stdout, own.stdout)
  }
  assert.match(run(['emulator', '--help'], {}).stdout, /--port <n> +where it listens/)
  const version = run(['--version'], {})
  assert.equal(version.status, 0)
  assert.match(version.stdout, /^graph-connect \d+\.\d+\.\d+\n$/)
  const unknown = run(['frobnicate'], {})
  assert.equal(unknown.status, 2)
  assert.match(unknown.stderr, /^graph-connect: unknown command "frobnicate"\.\n\nUsage:/)
  const option = run(['start', '--verbos'], {})
  assert.equal(option.status, 2)
  assert.match(option.stderr, /^graph-connect: start: Unknown option '--verbos'/)
  assert.match(option.stderr, /Usage: graph-connect start/)
  const port = run(['emulator', '--port', 'x'], {})
  assert.equal(port.status, 2)
  assert.match(port.stderr, /--port must be a port number \(0 to 65535\), got "x"/)
})

test('a port already taken is named with what to do (another Graph Connect still running?) and exits 1', async () => {
  const taken = createServer()
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
  try {
    const port = (taken.address() as AddressInfo).port
    const result = run(
      ['emulator', '--port', String(port), '--data', mkdtempSync(join(tmpdir(), 'gc-cli-port-'))],
      {},
    )
    assert.equal(result.status, 1)
    assert.match(
      result.stderr,
      new RegExp(`Port ${port} is already taken, perhaps by a Graph Connect that is still running`),
    )
    assert.match(
      result.stderr,
      /PORT and PUBLIC_URL for the app, EMULATOR_PORT for the emulator\s+that npm start embeds, --port for npm run emulator/,
    )
  } finally {
    taken.close()
  }
})

test('a bad EMULATOR_PORT is named with its fix before anything starts, and exits 1', () => {
  const result = run(['start'], { EMULATOR_PORT: '80801' })
  assert.equal(result.status, 1)
  assert.match(result.stdout, /EMULATOR_PORT "80801" is not a port number between 0 and 65535/)
  assert.match(
    result.stdout,
    /Fix: Set EMULATOR_PORT to a free port like 8002 \(0 picks any free port\)/,
  )
})

test('the launcher runs the command on the pinned Node and hands its exit code back', () => {
  const launcher = new URL('../bin/graph-connect', import.meta.url).pathname
  const help = spawnSync(launcher, ['help'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } })
  assert.equal(help.status, 0, help.stderr)
  assert.match(help.stdout, /Usage:/)
  const unknown = spawnSync(launcher, ['frobnicate'], {
    encoding: 'utf8',
    env: { PATH: '/usr/bin:/bin' },
  })
  assert.equal(unknown.status, 2)
  assert.match(unknown.stderr, /Usage:/)
})

test('STORE=redis with Redis unreachable starts (it reconnects by itself) and says so at once, naming REDIS_URL', async () => {
  const closed = await freePort() // nothing listens there
  const started = await launch('start', {
    env: {
      STORE: 'redis',
      REDIS_URL: `redis://127.0.0.1:${closed}`,
      PORT: '0',
      EMULATOR_PORT: '0',
    },
    cwd: mkdtempSync(join(tmpdir(), 'gc-cli-redis-')),
  })
  try {
    for (let i = 0; i < 100 && !started.output.some((line) => line.includes('WARNING')); i++)
      await sleep(20)
    assert.ok(
      started.output.includes(
        `  WARNING: Redis at 127.0.0.1:${closed} (REDIS_URL) does not answer (ECONNREFUSED): sign-ins and sends answer 503 until it does. Start Redis, or fix REDIS_URL (or STORE).`,
      ),
      started.output.join('\n'),
    )
  } finally {
    await started.stop()
  }
})

test('settings said in the user’s terms: production without CLIENT_ID, PORT=abc, PORT ≠ PUBLIC_URL’s port', () => {
  const production = run(['start'], { NODE_ENV: 'production' })
  assert.equal(production.status, 1)
  assert.match(
    production.stdout,
    /CLIENT_ID is missing: without it the app runs against the built-in demo emulator, which NODE_ENV=production refuses\./,
  )
  assert.doesNotMatch(
    production.stdout,
    /AUTHORITY (is|must|has)/,
    'no blame on a setting the user never set',
  )
  const words = run(['start'], { CLIENT_ID: 'abc', CLIENT_SECRET: 'x', PORT: 'abc' })
  assert.equal(words.status, 1)
  assert.match(words.stdout, /PORT "abc" is not a port number \(0 to 65535\)\./)
  const mismatch = run(['start'], {
    CLIENT_ID: 'abc',
    CLIENT_SECRET: 'x',
    PUBLIC_URL: 'http://127.0.0.1:8000',
    PORT: '9000',
  })
  assert.equal(mismatch.status, 1)
  assert.match(
    mismatch.stdout,
    /PORT is 9000, but PUBLIC_URL \(http:\/\/127\.0\.0\.1:8000\) sends the browser to port 8000, where nothing listens\./,
  )
  assert.match(
    mismatch.stdout,
    /Fix: Remove PORT \(it follows PUBLIC_URL\), or set PUBLIC_URL to http:\/\/127\.0\.0\.1:9000\./,
  )
})
