/** `lazySchemaCompilers`: Fastify's own schema compilers (ajv, fast-json-stringify), loaded when a schema first needs them. */
import { createRequire } from 'node:module'
import type { FastifyServerOptions } from 'fastify'

/**
 * Fastify loads and instantiates both compilers in every instance it creates unless it is given factories of its
 * own, and they are the largest modules of a start. No route of the app or the emulator declares a schema, so with
 * these factories a start loads neither; a route that does declare one gets Fastify's defaults, only later. The
 * composition root hands them to both instances (`buildApp`, `buildEmulator`); figures in bench/README.md.
 */
export const lazySchemaCompilers: FastifyServerOptions['schemaController'] = {
  compilersFactory: {
    buildValidator: onFirstUse('@fastify/ajv-compiler'),
    buildSerializer: onFirstUse('@fastify/fast-json-stringify-compiler'),
  },
}

type CompilerFactory = (externalSchemas: unknown, options: unknown) => never

/** A compiler factory that requires the package (one of our dependencies) the first time Fastify calls it. */
function onFirstUse(name: string): CompilerFactory {
  let factory: CompilerFactory | undefined
  return (externalSchemas, options) => {
    factory ??= (createRequire(import.meta.url)(name) as () => CompilerFactory)()
    return factory(externalSchemas, options)
  }
}
