/** staticFilesPlugin: files served from memory with their type, an ETag and public caching. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import Fastify from 'fastify'
import { staticFilesPlugin } from './static-files.ts'

const folder = new URL('../static/', import.meta.url)

test('static files: served from memory with their type, an ETag and public caching; 304 when the ETag is known; 404 otherwise', async () => {
  const app = Fastify()
  staticFilesPlugin(app, { folder, prefix: '/static/', maxAgeSeconds: 3600 })
  try {
    const css = await app.inject('/static/app.css')
    assert.equal(css.statusCode, 200)
    assert.equal(css.headers['content-type'], 'text/css; charset=utf-8')
    assert.equal(css.headers['cache-control'], 'public, max-age=3600')
    assert.deepEqual(css.rawPayload, readFileSync(new URL('app.css', folder)))
    const etag = String(css.headers.etag)
    assert.match(etag, /^"[\w-]{27}"$/)
    assert.equal(
      (await app.inject('/static/app.js')).headers['content-type'],
      'text/javascript; charset=utf-8',
    )
    assert.equal((await app.inject('/static/favicon.svg')).headers['content-type'], 'image/svg+xml')

    const again = await app.inject({
      url: '/static/app.css',
      headers: { 'if-none-match': `"other", W/${etag}` },
    })
    assert.equal(again.statusCode, 304)
    assert.equal(again.body, '')
    assert.equal(again.headers.etag, etag)
    assert.equal(
      (await app.inject({ url: '/static/app.css', headers: { 'if-none-match': '"other"' } }))
        .statusCode,
      200,
    )
    assert.equal((await app.inject({ method: 'HEAD', url: '/static/app.css' })).statusCode, 200)
    for (const url of [
      '/static/nope.js',
      '/static/',
      '/static/../app.ts',
      '/static/%2e%2e/app.ts',
    ]) {
      assert.equal((await app.inject(url)).statusCode, 404, url)
    }
  } finally {
    await app.close()
  }
})
