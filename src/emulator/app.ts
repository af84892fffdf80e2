/** buildEmulator(options): the offline Microsoft identity platform + Graph mail emulator, as a Fastify app (no listen). */
import Fastify, { type FastifyInstance } from 'fastify'
import { EmulatorClient } from './client.ts'
import { createContext, type EmulatorContext } from './context.ts'
import { CONTROL_PREFIX } from './control/control-paths.ts'
import { controlRoutes } from './control/control-routes.ts'
import { installJournalAndFaults } from './control/journal-hooks.ts'
import { faviconRoutes } from './favicon-routes.ts'
import { normalizeGraphUrl } from './graph/graph-path-case.ts'
import { graphRoutes } from './graph/routes.ts'
import { identityRoutes } from './identity/routes.ts'
import { inboxRoutes } from './inbox/routes.ts'
import { injectFetch } from './inject-fetch.ts'
import { checkListenHost } from './listen-host.ts'
import { resolveOptions, type EmulatorOptions, type ResolvedOptions } from './options.ts'
import { refuseOtherHosts, servedHosts } from './served-hosts.ts'
import type { DemoFixture } from './state/demo-fixture.ts'
import { routeByHost } from './tls/real-hosts.ts'

export type { EmulatorOptions } from './options.ts'
export type { DemoFixture } from './state/demo-fixture.ts'

export interface ListenOptions {
  /** Default 8001; 0 for any free port. */
  port?: number
  /** Default localhost. An address beyond loopback (0.0.0.0, a LAN address, a name) needs `allowNonLoopback`. */
  host?: string
  /**
   * true: listen on a `host` beyond loopback, with a warning (options.onWarning): whoever reaches it gets tokens with
   * the public demo secret. Its clients' Host names must be served too (options.allowedHosts).
   */
  allowNonLoopback?: boolean
}

export interface Emulator {
  fastify: FastifyInstance
  /** The emulator's state, for tests of the emulator itself; other code uses the control API. */
  context: EmulatorContext
  /** Set by listen(); e.g. http://localhost:41234 (https:// with options.tls). */
  url: string
  demo: DemoFixture
  /** The typed control client of this emulator, answered in process (works before listen); follows `url`. */
  readonly client: EmulatorClient
  /** Port 8001, host localhost by default (beyond loopback only with allowNonLoopback); resolves with `url`. */
  listen(options?: ListenOptions): Promise<string>
  close(): Promise<void>
}

type Plugin = (app: FastifyInstance, context: EmulatorContext) => Promise<void>

/** The route plugins, each given the context; the control API is one plugin under its prefix. */
const PLUGINS: [Plugin, { prefix?: string }][] = [
  [controlRoutes, { prefix: CONTROL_PREFIX }],
  [graphRoutes, {}],
  [inboxRoutes, {}],
  [identityRoutes, {}],
  [faviconRoutes, {}],
]

export async function buildEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const resolved = resolveOptions(options)
  const hosts = servedHosts(resolved) // throws on a malformed allowedHosts, before anything is opened
  let listeningUrl = ''
  const context = createContext(resolved, () => listeningUrl)
  const fastify = createServer(resolved)
  fastify.addHook('onClose', async () => context.db.close())
  // Before every other hook: a request for a name the emulator does not serve runs nothing (DNS rebinding).
  refuseOtherHosts(fastify, hosts)
  if (resolved.tls) routeByHost(fastify)
  // Root hooks first, so that every route registered below inherits them (identity routes included).
  installJournalAndFaults(fastify, context)
  for (const [plugin, pluginOptions] of PLUGINS)
    await fastify.register((scope) => plugin(scope, context), pluginOptions)

  const emulator: Emulator = {
    fastify,
    context,
    url: '',
    demo: context.demo,
    client: new EmulatorClient(() => emulator.url || context.publicUrl(), {
      fetch: injectFetch(fastify),
    }),
    async listen({ port = 8001, host = 'localhost', allowNonLoopback = false } = {}) {
      const warning = checkListenHost(host, allowNonLoopback)
      await fastify.listen({ port, host })
      if (warning) warn(fastify, resolved, warning)
      const address = fastify.server.address()
      const actualPort = typeof address === 'object' && address ? address.port : port
      listeningUrl = `${resolved.tls ? 'https' : 'http'}://${urlHost(host)}:${actualPort}`
      emulator.url = context.publicUrl()
      return emulator.url
    },
    close: () => fastify.close(),
  }
  return emulator
}

function createServer(options: ResolvedOptions): FastifyInstance {
  return Fastify({
    // No automatic HEAD twin of every GET route: Graph documents GET, POST, PUT, PATCH and DELETE only, and no client
    // of the identity platform sends HEAD. HEAD is an unknown route (Graph's 400 BadRequest; the pages' 404).
    exposeHeadRoutes: false,
    logger: options.logger ?? false,
    ...(options.schemaController ? { schemaController: options.schemaController } : {}),
    bodyLimit: 64 * 1024 * 1024,
    genReqId: () => crypto.randomUUID(),
    // Graph matches its keyword segments in any case; ids keep theirs.
    rewriteUrl: (request) => normalizeGraphUrl(request.url ?? '/'),
    ...(options.tls ? { https: { cert: options.tls.cert, key: options.tls.key } } : {}),
  })
}

/** A warning to the emulator's log and to options.onWarning (else process.emitWarning, printed on stderr). */
function warn(fastify: FastifyInstance, options: ResolvedOptions, message: string): void {
  fastify.log.warn(message)
  if (options.onWarning) options.onWarning(message)
  else process.emitWarning(message, { type: 'EmulatorWarning', code: 'EMULATOR_NOT_LOOPBACK' })
}

/** The host as it appears in the emulator's URL: loopback addresses as given, any other name as localhost. */
function urlHost(host: string): string {
  if (host === '::1') return '[::1]'
  return host === '127.0.0.1' ? host : 'localhost'
}
