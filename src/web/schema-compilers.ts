// Fastify's schema compilers (ajv, fast-json-stringify), loaded when a route first declares a schema.
import { createRequire } from 'node:module'
import type { FastifyServerOptions } from 'fastify'

// Fastify requires both compilers in every instance it creates (about 40 ms of a cold start, and 3 MB) unless the
// instance is given its own. No route of the app declares a schema, so a start never loads them. Fastify's defaults,
// just later; the one difference: with compilers of its own, Fastify no longer lower-cases a route's `headers` schema.
const fromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'))
type Factory = (externalSchemas: unknown, options: unknown) => unknown
const once = (name: string) => {
  let factory: Factory | undefined
  return (externalSchemas: unknown, options: unknown) =>
    (factory ??= (fromFastify(name) as () => Factory)())(externalSchemas, options)
}

export const schemaCompilers = {
  compilersFactory: {
    buildValidator: once('@fastify/ajv-compiler'),
    buildSerializer: once('@fastify/fast-json-stringify-compiler'),
  },
} as FastifyServerOptions['schemaController']
