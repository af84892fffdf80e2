/** lazySchemaCompilers: a start loads neither compiler; a route that declares schemas still gets Fastify's behaviour. */
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import Fastify from 'fastify'
import { createLogger, loadConfig } from '../core/index.ts'
import { composeApp, embeddedMetadata, emulatorSettings, startEmulator } from './compose.ts'
import { lazySchemaCompilers } from './schema-compilers.ts'

const loaded = (file: string) =>
  Object.keys(createRequire(import.meta.url).cache).some((path) =>
    path.endsWith(`/node_modules/${file}`),
  )

test('npm start’s parts, composed and serving pages, load neither ajv nor fast-json-stringify', async () => {
  const emulator = await startEmulator(0)
  try {
    const config = loadConfig(
      emulatorSettings(emulator, { STORE: 'memory', LOG_LEVEL: 'silent', NODE_ENV: 'test' }),
    )
    const metadata = await embeddedMetadata(emulator, config.authority)
    const composed = await composeApp(config, { logger: createLogger(config), metadata })
    const page = await composed.app.inject({ url: '/', headers: { host: '127.0.0.1:8000' } })
    assert.equal(page.statusCode, 200)
    assert.equal((await emulator.fastify.inject({ url: '/' })).statusCode, 200)
    await composed.close()
  } finally {
    await emulator.close()
  }
  assert.equal(loaded('ajv/dist/ajv.js'), false)
  assert.equal(loaded('fast-json-stringify/index.js'), false)
})

test('an instance with the lazy compilers and no schema never loads ajv or fast-json-stringify', async () => {
  const fastify = Fastify({ schemaController: lazySchemaCompilers })
  fastify.get('/', async () => ({ ok: true }))
  assert.equal((await fastify.inject({ url: '/' })).statusCode, 200)
  await fastify.close()
  assert.equal(loaded('ajv/dist/ajv.js'), false)
  // fast-json-stringify's small serializer.js is Fastify's own error serialiser; the compiler is index.js.
  assert.equal(loaded('fast-json-stringify/index.js'), false)
})

test('a route that declares schemas is validated and serialised as with Fastify defaults', async () => {
  const fastify = Fastify({ schemaController: lazySchemaCompilers })
  const schema = {
    body: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } },
    response: { 200: { type: 'object', properties: { n: { type: 'integer' } } } },
  }
  fastify.post('/echo', { schema }, async (request) => ({
    n: (request.body as { n: number }).n,
    hidden: 'not in the response schema',
  }))
  const refused = await fastify.inject({ method: 'POST', url: '/echo', payload: { n: 'x' } })
  assert.equal(refused.statusCode, 400)
  const coerced = await fastify.inject({ method: 'POST', url: '/echo', payload: { n: '7' } })
  assert.deepEqual(coerced.json(), { n: 7 })
  await fastify.close()
  assert.equal(loaded('ajv/dist/ajv.js'), true)
})
