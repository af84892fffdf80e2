/**
 * Discovery and JWKS as precomputed bytes: the same JSON the builders give, per base URL (known only at listen(); per
 * Host in real-hostname mode), made anew when the keys rotate, with an ETag honoured by If-None-Match.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { buildEmulator, type Emulator } from '../../app.ts'
import { createJwtSigner } from '../jwt-signer.ts'
import { createRevocations } from '../revocations.ts'
import { loadSigningKeys } from '../signing-keys.ts'
import { writeTestCa } from '../../tls/make-test-ca.ts'
import { v1Configuration, v2Configuration, type Endpoints } from './discovery.ts'
import { createPrecomputedDocuments } from './precomputed-documents.ts'

describe('precomputed discovery and JWKS', () => {
  const emulators: Emulator[] = []
  const make = async (options: Parameters<typeof buildEmulator>[0] = {}) => {
    const emulator = await buildEmulator({ logger: false, ...options })
    emulators.push(emulator)
    return emulator
  }
  after(() => Promise.all(emulators.map((emulator) => emulator.close())))

  test('the bytes are the JSON the builders return, as JSON with an ETag', async () => {
    const emulator = await make({ publicUrl: 'http://localhost:8001' })
    const { tenantId } = emulator.demo
    const endpoints = (segment: string): Endpoints => ({
      base: 'http://localhost:8001',
      graph: 'http://localhost:8001',
      segment,
      issuerTenant: segment === tenantId ? segment : '{tenantid}',
      issParameter: false,
    })
    const cases: [string, object][] = [
      [`/${tenantId}/v2.0/.well-known/openid-configuration`, v2Configuration(endpoints(tenantId))],
      ['/common/v2.0/.well-known/openid-configuration', v2Configuration(endpoints('common'))],
      [`/${tenantId}/.well-known/openid-configuration`, v1Configuration(endpoints(tenantId))],
      [
        `/${tenantId}/discovery/v2.0/keys`,
        emulator.context.signer.jwks(`http://localhost:8001/${tenantId}/v2.0`),
      ],
      ['/discovery/keys', emulator.context.signer.jwks('http://localhost:8001/{tenantid}/')],
    ]
    for (const [url, built] of cases) {
      for (let ask = 0; ask < 2; ask++) {
        const response = await emulator.fastify.inject(url)
        assert.equal(response.statusCode, 200, url)
        assert.equal(response.body, JSON.stringify(built), `${url}, ask ${ask + 1}`)
        assert.equal(response.headers['content-type'], 'application/json; charset=utf-8')
        assert.equal(response.headers['cache-control'], 'max-age=86400, private')
        assert.match(String(response.headers.etag), /^"[\w-]{27}"$/)
      }
    }
  })

  test('If-None-Match with the ETag → 304 without a body; another tag → 200', async () => {
    const emulator = await make({ publicUrl: 'http://localhost:8001' })
    const url = '/common/v2.0/.well-known/openid-configuration'
    const { etag } = (await emulator.fastify.inject(url)).headers
    const same = await emulator.fastify.inject({ url, headers: { 'if-none-match': `W/${etag}` } })
    assert.equal(same.statusCode, 304)
    assert.equal(same.body, '')
    assert.equal(same.headers.etag, etag)
    const other = await emulator.fastify.inject({ url, headers: { 'if-none-match': '"x"' } })
    assert.equal(other.statusCode, 200)
  })

  test('the public URL known only at listen() is in the answers made after it', async () => {
    const emulator = await make()
    const url = '/common/v2.0/.well-known/openid-configuration'
    const early = (await emulator.fastify.inject(url)).json() as { issuer: string }
    assert.equal(early.issuer, 'http://localhost/{tenantid}/v2.0')
    await emulator.listen({ port: 0, host: '127.0.0.1' })
    const late = (await (await fetch(`${emulator.url}${url}`)).json()) as { issuer: string }
    assert.equal(late.issuer, `${emulator.url}/{tenantid}/v2.0`)
    const keys = (await (await fetch(`${emulator.url}/common/discovery/v2.0/keys`)).json()) as {
      keys: { issuer: string }[]
    }
    assert.equal(keys.keys[0]!.issuer, `${emulator.url}/{tenantid}/v2.0`)
  })

  test('real-hostname mode: each Host gets its own URLs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emulator-precomputed-'))
    try {
      const files = writeTestCa(dir)
      const emulator = await make({
        tls: { cert: readFileSync(files.cert), key: readFileSync(files.key) },
      })
      await emulator.listen({ port: 0, host: '127.0.0.1' })
      const port = Number(new URL(emulator.url).port)
      const ca = readFileSync(files.ca)
      const issuerAt = async (host: string) =>
        JSON.parse(await getTls(port, host, ca, '/common/v2.0/.well-known/openid-configuration'))
          .issuer as string
      assert.equal(
        await issuerAt('login.microsoftonline.com'),
        `https://login.microsoftonline.com/{tenantid}/v2.0`,
      )
      assert.equal(await issuerAt(`127.0.0.1:${port}`), `${emulator.url}/{tenantid}/v2.0`)
      assert.equal(
        await issuerAt('login.microsoftonline.com'),
        `https://login.microsoftonline.com/{tenantid}/v2.0`,
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('rotated keys (a new signer) are published by the next request', async () => {
    const emulator = await make({ publicUrl: 'http://localhost:8001' })
    const url = '/common/discovery/v2.0/keys'
    const before = await emulator.fastify.inject(url)
    emulator.context.signer = createJwtSigner(loadSigningKeys(), createRevocations())
    const afterRotation = await emulator.fastify.inject(url)
    assert.notEqual(afterRotation.body, before.body)
    assert.notEqual(afterRotation.headers.etag, before.headers.etag)
    assert.equal(
      afterRotation.body,
      JSON.stringify(emulator.context.signer.jwks('http://localhost:8001/{tenantid}/v2.0')),
    )
  })

  test('a key is made once, again when its version changes, and the kept answers are bounded', () => {
    const documents = createPrecomputedDocuments(2)
    let builds = 0
    const build = () => ({ n: ++builds })
    assert.equal(documents.get('a', 1, build).body.toString(), '{"n":1}')
    assert.equal(documents.get('a', 1, build).body.toString(), '{"n":1}')
    assert.equal(documents.get('a', 2, build).body.toString(), '{"n":2}')
    documents.get('b', 1, build)
    documents.get('c', 1, build) // past the limit: all made anew as asked
    assert.equal(documents.get('a', 2, build).body.toString(), '{"n":5}')
  })
})

/** GET over TLS to 127.0.0.1:port with the given Host (and SNI). */
function getTls(port: number, host: string, ca: Buffer, path: string): Promise<string> {
  const servername = host.split(':')[0]!
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: '127.0.0.1',
        port,
        path,
        ca,
        headers: { host },
        servername: /^\d/.test(servername) ? undefined : servername,
      },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
        response.on('error', reject)
      },
    )
    outgoing.on('error', reject)
    outgoing.end()
  })
}
