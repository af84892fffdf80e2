import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import Fastify from 'fastify'
import { schemaCompilers } from './schema-compilers.ts'

const loaded = (file: string) =>
  Object.keys(createRequire(import.meta.url).cache).some((path) =>
    path.endsWith(`/node_modules/${file}`),
  )

test('an instance whose routes declare no schema never loads ajv or fast-json-stringify', async () => {
  const fastify = Fastify({ schemaController: schemaCompilers })
  fastify.get('/', async () => ({ ok: true }))
  assert.equal((await fastify.inject('/')).json().ok, true)
  await fastify.close()
  assert.equal(loaded('ajv/dist/ajv.js'), false)
  assert.equal(loaded('fast-json-stringify/index.js'), false) // its small serializer.js is Fastify's own error serialiser
})

test('a route that declares schemas is validated and serialised as with Fastify defaults', async () => {
  const fastify = Fastify({ schemaController: schemaCompilers })
  fastify.post(
    '/echo',
    {
      schema: {
        body: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } },
        response: { 200: { type: 'object', properties: { n: { type: 'integer' } } } },
      },
    },
    async (request) => ({
      n: (request.body as { n: number }).n,
      hidden: 'not in the response schema',
    }),
  )
  const bad = await fastify.inject({ method: 'POST', url: '/echo', payload: { n: 'x' } })
  assert.equal(bad.statusCode, 400)
  assert.match(bad.json().message, /body\/n must be integer/)
  const good = await fastify.inject({ method: 'POST', url: '/echo', payload: { n: '7' } })
  assert.deepEqual(good.json(), { n: 7 }) // coerced by ajv, extra field dropped by fast-json-stringify
  await fastify.close()
  assert.equal(loaded('ajv/dist/ajv.js'), true)
})
