/**
 * The test CA maker: certificates Node (OpenSSL) parses, chains and matches to the names; the CA key is not kept.
 */
import assert from 'node:assert/strict'
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto'
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { makeTestCa, writeTestCa } from './make-test-ca.ts'

test('a CA and a server certificate for the real names, localhost and loopback addresses', () => {
  const made = makeTestCa()
  const ca = new X509Certificate(made.caPem)
  const server = new X509Certificate(made.certPem)
  assert.equal(ca.ca, true)
  assert.equal(server.ca, false)
  assert.ok(ca.verify(ca.publicKey), 'CA self-signed')
  assert.ok(
    server.verify(ca.publicKey) && server.checkIssued(ca),
    'server certificate issued by the CA',
  )
  for (const name of ['login.microsoftonline.com', 'graph.microsoft.com', 'localhost'])
    assert.equal(server.checkHost(name), name)
  assert.equal(server.checkHost('login.microsoft.com'), undefined)
  assert.equal(server.checkIP('127.0.0.1'), '127.0.0.1')
  assert.equal(server.checkIP('::1'), '::1')
  assert.deepEqual(server.keyUsage, ['1.3.6.1.5.5.7.3.1'], 'extended key usage: serverAuth only')
  const key = createPrivateKey(made.keyPem)
  assert.ok(server.checkPrivateKey(key))
  const spki = createHash('sha256')
    .update(server.publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64')
  assert.equal(made.spkiSha256, spki)
  const days = (Date.parse(server.validTo) - Date.now()) / 86400_000
  assert.ok(days > 29 && days <= 30, `valid ${days} days`)
})

test('extra names and a validity; files written with the key private; never the CA key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'test-ca-'))
  try {
    const written = writeTestCa(dir, { names: ['app.test', '10.0.0.7'], days: 2 })
    assert.deepEqual(readdirSync(dir).sort(), ['ca.pem', 'server-cert.pem', 'server-key.pem'])
    assert.equal(statSync(written.key).mode & 0o077, 0)
    const made = makeTestCa({ names: ['app.test', '10.0.0.7'], days: 2 })
    const server = new X509Certificate(made.certPem)
    assert.equal(server.checkHost('app.test'), 'app.test')
    assert.equal(server.checkIP('10.0.0.7'), '10.0.0.7')
    assert.equal(server.subjectAltName, 'DNS:app.test, IP Address:10.0.0.7')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
