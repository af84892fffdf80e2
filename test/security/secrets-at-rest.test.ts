/**
 * SE-19: what lies on disk. The real launcher (`bin/graph-connect start`, what `npm start` runs) in a fresh folder,
 * with the README's "use your own tenant" settings and no SESSION_SECRET: its data folder and every file in it are
 * its owner's only, the key of sessions and token caches is random and kept across restarts, a HOST beyond loopback
 * without SESSION_SECRET refuses to start, and a session of the old built-in key ends without an error.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { Browser } from '../kit/browser.ts'
import { freePort } from '../kit/free-port.ts'
import { launch, launcher } from '../kit/launched.ts'
import { scratchDir } from '../kit/scratch-dir.ts'
import { SECURITY, startSystem, type System } from '../kit/system.ts'

/** What the built-in key was before SE-19: public, in the source of every earlier version. */
const OLD_BUILT_IN_SECRET = 'graph-connect-loopback-only-development-secret-not-for-deployment'

let system: System
const scratches: { remove(): void }[] = []

before(async () => {
  system = await startSystem(SECURITY)
})

after(async () => {
  await system?.close()
  for (const scratch of scratches) scratch.remove()
})

function freshFolder(): string {
  const scratch = scratchDir('gc-at-rest')
  scratches.push(scratch)
  return scratch.dir
}

/** Every folder and file under `dir` with its permission bits, e.g. ['data/ 700', 'data/x.sqlite 600']. */
function modes(root: string, dir = 'data'): string[] {
  const found = [`${dir}/ ${(statSync(join(root, dir)).mode & 0o777).toString(8)}`]
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`
    if (entry.isDirectory()) found.push(...modes(root, path))
    else found.push(`${path} ${(statSync(join(root, path)).mode & 0o777).toString(8)}`)
  }
  return found.sort()
}

/** The app's settings with three of the README's own-tenant settings (client id, secret, authority). */
async function ownTenantSettings(port: number): Promise<Record<string, string>> {
  const settings = await system.settings({ PUBLIC_URL: `http://127.0.0.1:${port}` })
  return Object.fromEntries(
    Object.entries(settings).filter(([name]) => !['SESSION_SECRET', 'STORE'].includes(name)),
  )
}

describe('SE-19 secrets and stores at rest', () => {
  test('SE-19 npm start without SESSION_SECRET: data/ is 0700, every file in it 0600, the session key random and kept across a restart', async () => {
    const cwd = freshFolder()
    const port = await freePort()
    const env = await ownTenantSettings(port)
    const first = await launch('start', { env, cwd })
    const client = new Browser({ base: `http://127.0.0.1:${port}` })
    try {
      assert.equal((await client.signIn(system.user('adele'))).status, 303)
    } finally {
      await first.stop()
    }
    const files = modes(cwd)
    for (const line of files)
      assert.match(line, /\/ 700$|[^/] 600$/, `owner-only: ${files.join(', ')}`)
    assert.ok(files.includes('data/graph-connect.sqlite 600'), files.join(', '))
    const secret = readFileSync(join(cwd, 'data/session-secret'), 'utf8').trim()
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/, '32 random bytes')
    assert.notEqual(secret, OLD_BUILT_IN_SECRET)

    const second = await launch('start', { env, cwd })
    try {
      assert.equal(await client.isSignedIn(), true, 'the same key after a restart: still signed in')
    } finally {
      await second.stop()
    }
    assert.equal(readFileSync(join(cwd, 'data/session-secret'), 'utf8').trim(), secret)
  })

  test('SE-19 the embedded emulator (no CLIENT_ID) keeps its state owner-only too', async () => {
    const cwd = freshFolder()
    const started = await launch('start', {
      env: { PORT: '0', EMULATOR_PORT: '0', LOG_LEVEL: 'silent' },
      cwd,
    })
    await started.stop()
    const files = modes(cwd)
    assert.ok(files.includes('data/emulator/ 700'), files.join(', '))
    assert.ok(files.includes('data/emulator/emulator.sqlite 600'), files.join(', '))
    for (const line of files)
      assert.match(line, /\/ 700$|[^/] 600$/, `owner-only: ${files.join(', ')}`)
  })

  test('SE-19 HOST=0.0.0.0 without SESSION_SECRET refuses to start, names the fix and writes no secret', async () => {
    const cwd = freshFolder()
    const env = await ownTenantSettings(await freePort())
    const result = spawnSync(launcher, ['start'], {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...env, HOST: '0.0.0.0' },
      encoding: 'utf8',
      timeout: 60_000,
    })
    assert.equal(result.status, 1, result.stdout + result.stderr)
    assert.match(
      result.stdout,
      /SESSION_SECRET is required: HOST=0\.0\.0\.0 listens beyond loopback/,
    )
    assert.match(result.stdout, /Fix: Generate one: node -e/)
    assert.equal(existsSync(join(cwd, 'data/session-secret')), false)
  })

  test('SE-19 a session sealed under the old built-in key ends gracefully: signed out, no 500, sign in again', async () => {
    const sqlite = join(freshFolder(), 'app.sqlite')
    const old = await system.startApp({
      env: { SQLITE_PATH: sqlite, SESSION_SECRET: OLD_BUILT_IN_SECRET },
    })
    const client = old.browser()
    assert.equal((await client.signIn(system.user('megan'))).status, 303)
    await old.close()

    const current = await system.startApp({ env: { SQLITE_PATH: sqlite } })
    assert.notEqual(current.config.sessionSecret, OLD_BUILT_IN_SECRET)
    const home = await client.request(`${current.url}/`)
    assert.equal(home.status, 200)
    assert.doesNotMatch(home.body, /action="\/send"/, 'the Connect page, not the signed-in one')
    const stale = { _csrf: 'from-the-old-page', _form: 'from-the-old-page' }
    const send = await client.postSend(
      { ...stale, to: 'adele@contoso.test' },
      { base: current.url },
    )
    assert.equal(send.status, 303)
    assert.equal(send.location, `${current.url}/?notice=signed-out`)
    assert.equal((await client.request(`${current.url}/flow`)).status, 303)
    assert.equal((await client.signIn(system.user('megan'), current.url)).status, 303)
    assert.equal(await client.isSignedIn(current.url), true)
  })
})
