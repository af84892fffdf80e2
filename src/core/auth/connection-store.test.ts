/** The CLI's connection store: sealed files, owner-only modes, a key apart, atomic writes, and where it lives. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { scratchDir } from '../../../test/kit/scratch-dir.ts'
import { cliHome, createConnectionStore, type ConnectionRecord } from './connection-store.ts'

const record = (name: string): ConnectionRecord => ({
  name,
  kind: 'delegated',
  clientId: 'client',
  authority: 'https://login.example.test/tenant',
  graphBaseUrl: 'https://graph.example.test/v1.0',
  scopes: ['Mail.Send'],
  metadata: { issuer: 'i', authorization_endpoint: 'a', token_endpoint: 't', jwks_uri: 'j' },
  msalCache: JSON.stringify({ RefreshToken: { x: { secret: 'REFRESH-TOKEN-CANARY' } } }),
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
})

test('a connection is written sealed (no refresh token in clear), 0600 in a 0700 folder, its key in a file apart', () => {
  const scratch = scratchDir()
  try {
    const home = join(scratch.dir, 'home')
    const store = createConnectionStore(home)
    assert.equal(store.read('default'), undefined)
    store.write(record('default'))
    store.write(record('work'))
    assert.deepEqual(store.names(), ['default', 'work'])
    assert.deepEqual(store.read('work'), record('work'))
    const file = join(home, 'connections', 'default.json')
    assert.doesNotMatch(readFileSync(file, 'utf8'), /REFRESH-TOKEN-CANARY|client|example/)
    assert.equal(statSync(home).mode & 0o777, 0o700)
    assert.equal(statSync(join(home, 'connections')).mode & 0o777, 0o700)
    assert.equal(statSync(file).mode & 0o777, 0o600)
    assert.equal(statSync(join(home, 'key')).mode & 0o777, 0o600)
    assert.deepEqual(readdirSync(join(home, 'connections')).sort(), ['default.json', 'work.json'])
    assert.equal(store.delete('work'), true)
    assert.equal(store.delete('work'), false)
    assert.deepEqual(store.names(), ['default'])
  } finally {
    scratch.remove()
  }
})

test('a file sealed under another key is an ERR_STORE_UNAVAILABLE naming the key file, never an empty connection', () => {
  const scratch = scratchDir()
  try {
    const home = join(scratch.dir, 'home')
    createConnectionStore(home).write(record('default'))
    writeFileSync(join(home, 'key'), `${'k'.repeat(43)}\n`)
    assert.throws(
      () => createConnectionStore(home).read('default'),
      (error: Error & { code?: string }) =>
        error.code === 'ERR_STORE_UNAVAILABLE' && error.message.includes(join(home, 'key')),
    )
    assert.throws(() => createConnectionStore(home).read('../x'), /not a connection name/)
  } finally {
    scratch.remove()
  }
})

test('the home: GRAPH_CONNECT_HOME, else $XDG_CONFIG_HOME/graph-connect, else ~/.config/graph-connect', () => {
  assert.equal(cliHome({ GRAPH_CONNECT_HOME: '/tmp/gc', XDG_CONFIG_HOME: '/x' }), '/tmp/gc')
  assert.equal(cliHome({ XDG_CONFIG_HOME: '/x', HOME: '/h' }), '/x/graph-connect')
  assert.equal(cliHome({ HOME: '/h' }), '/h/.config/graph-connect')
})
