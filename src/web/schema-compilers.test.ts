import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import Fastify from 'fastify'
import { schemaCompilers } from './schema-compilers.ts'
import { testApp } from '../../test/kit/web-app.ts'

const loaded = (file: string) =>
  Object.keys(createRequire(import.meta.url).cache).some((path) =>
    path.endsWith(`/node_modules/${file}`),
  )

test('the app, composed and serving pages, never loads ajv or fast-json-stringify (no route declares a schema)', async () => {
  const { app } = await testApp()
  assert.equal((await app.inject({ url: '/' })).statusCode, 200)
  assert.equal((await app.inject({ url: '/static/app.js' })).statusCode, 200)
  await app.close()
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
  assert.equal(
    (await fastify.inject({ method: 'POST', url: '/echo', payload: { n: 'x' } })).statusCode,
    400,
  )
  assert.deepEqual(
    (await fastify.inject({ method: 'POST', url: '/echo', payload: { n: '7' } })).json(),
    { n: 7 },
  )
  await fastify.close()
  assert.equal(loaded('ajv/dist/ajv.js'), true)
})
