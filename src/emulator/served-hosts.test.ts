/** The Host names the emulator serves: allowedHosts as given (array or EMULATOR_ALLOWED_HOSTS string), Host parsed. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { resolveOptions } from './options.ts'
import { hostnameOf, parseAllowedHosts, servedHosts } from './served-hosts.ts'

describe('served hosts', () => {
  it('reads allowedHosts from an array or a comma-separated string, in lower case, IPv6 bracketed', () => {
    assert.deepEqual(parseAllowedHosts(['Emulator.Test', '192.0.2.10', 'fd00::10', '[fd00::11]']), [
      'emulator.test',
      '192.0.2.10',
      '[fd00::10]',
      '[fd00::11]',
    ])
    assert.deepEqual(parseAllowedHosts(' a.test, b.test ,,'), ['a.test', 'b.test'])
    assert.deepEqual(parseAllowedHosts(undefined), [])
    assert.deepEqual(parseAllowedHosts(''), [])
  })

  it('refuses entries with a port, a scheme, a path or a wildcard, naming them', () => {
    for (const entry of [
      'emulator.test:8001',
      'http://emulator.test',
      'a.test/x',
      '*.test',
      '',
      ' ',
    ])
      assert.throws(
        () => parseAllowedHosts([entry]),
        new RegExp(`'${entry.replace(/[.*]/g, '\\$&')}'`),
      )
  })

  it('serves loopback, publicUrl, allowedHosts, and the Microsoft names over TLS only', () => {
    const plain = servedHosts(
      resolveOptions({ publicUrl: 'http://Emu.Example:9000', allowedHosts: 'x.test' }),
    )
    assert.deepEqual([...plain], ['localhost', '127.0.0.1', '[::1]', 'emu.example', 'x.test'])
    const tls = servedHosts(resolveOptions({ tls: { cert: '', key: '' } }))
    assert.ok(tls.has('login.microsoftonline.com') && tls.has('graph.microsoft.com'))
  })

  it('reads the name of a Host header without port or case; malformed ones have none', () => {
    assert.equal(hostnameOf('LocalHost:8001'), 'localhost')
    assert.equal(hostnameOf('localhost.'), 'localhost')
    assert.equal(hostnameOf('[::1]:8001'), '[::1]')
    assert.equal(hostnameOf('127.0.0.1'), '127.0.0.1')
    for (const bad of [
      undefined,
      '',
      'localhost:80@evil.test',
      'localhost:x',
      'a b',
      '::1',
      'evil.test/',
    ])
      assert.equal(hostnameOf(bad), undefined, String(bad))
  })
})
