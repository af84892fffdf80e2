/** `buildApp(config, dependencies)`: the Connect web app as a Fastify instance, not listening (server.ts listens). */
import { randomUUID } from 'node:crypto'
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyServerOptions,
} from 'fastify'
import cookie from '@fastify/cookie'
import formbody from '@fastify/formbody'
import {
  allowsLargeAttachments,
  createGraphClient,
  isLoopbackHost,
  mailLimits,
  type Config,
  type Store,
} from '../core/index.ts'
import { createFormTokens } from './form-tokens.ts'
import { createGraphFor } from './graph-for.ts'
import { AccessLog } from './plugins/access-log.ts'
import { hostCheckPlugin } from './plugins/host-check.ts'
import { languagePlugin } from './plugins/language.ts'
import { pagesPlugin } from './plugins/pages.ts'
import { securityHeadersPlugin } from './plugins/security-headers.ts'
import { sessionPlugin } from './plugins/session.ts'
import { staticFilesPlugin } from './plugins/static-files.ts'
import type { AuthPort, GraphFactory } from './ports.ts'
import { flowRoutes } from './routes/flow.ts'
import { healthRoutes } from './routes/health.ts'
import { homeRoutes } from './routes/home.ts'
import { createMainPage } from './routes/main-page.ts'
import { sendRoutes } from './routes/send.ts'
import { signInRoutes } from './routes/sign-in.ts'
import { signOutRoutes } from './routes/sign-out.ts'
import { createViews } from './views.ts'

export interface AppDependencies {
  store: Store
  auth: AuthPort
  logger: FastifyBaseLogger
  /** The network of Graph calls (composeApp hands over core's httpFetch); default the platform fetch. */
  fetch?: typeof fetch
  /** Builds a Graph client for one user; default core's createGraphClient. */
  graphFactory?: GraphFactory
  /** Fastify's schema compilers; Fastify's defaults unless given (the composition root gives lazy ones). */
  schemaController?: FastifyServerOptions['schemaController']
}

export interface ConnectApp extends FastifyInstance {
  /** Readiness drops at once (RE-09); server.ts calls it on SIGTERM. */
  markShuttingDown(): void
}

// A send form without attachments, with room for the other fields.
const urlencodedLimit = mailLimits.bodyBytes + 64 * 1024

export async function buildApp(
  config: Readonly<Config>,
  dependencies: AppDependencies,
): Promise<ConnectApp> {
  const { store, auth } = dependencies
  const app = Fastify(fastifyOptions(config, dependencies))
  let shuttingDown = false
  const draining = () => shuttingDown
  const views = createViews()

  await app.register(cookie)
  await app.register(formbody, { bodyLimit: urlencodedLimit })
  securityHeadersPlugin(app, {
    authorityOrigin: new URL(config.authority).origin,
    hsts: config.secureCookies,
    draining,
  })
  hostCheckPlugin(app, config.publicUrl)
  languagePlugin(app, { secure: config.secureCookies })
  sessionPlugin(app, {
    store,
    secret: config.sessionSecret,
    cookieName: config.secureCookies ? '__Host-session' : 'session',
    secure: config.secureCookies,
    idleSeconds: config.session.idleSeconds,
    absoluteSeconds: config.session.absoluteSeconds,
  })
  staticFilesPlugin(app, {
    folder: new URL('./static/', import.meta.url),
    prefix: '/static/',
    maxAgeSeconds: 3600,
  })
  pagesPlugin(app, { views, flowInspector: config.flowInspector, redirectUri: config.redirectUri })

  const graphFor = createGraphFor(
    auth,
    dependencies.graphFactory ?? defaultGraphFactory(config),
    dependencies.fetch ?? globalThis.fetch,
  )
  const formTokens = createFormTokens(config.sessionSecret)
  const mainPage = createMainPage(views)
  await app.register(homeRoutes, {
    store,
    mainPage,
    formTokens,
    flowInspector: config.flowInspector,
    largeAttachments: allowsLargeAttachments(config.scopes),
    demo: isLoopbackHost(new URL(config.authority).hostname),
  })
  await app.register(sendRoutes, { config, store, auth, graphFor, formTokens, mainPage })
  await app.register(signInRoutes, { config, store, auth, graphFor })
  await app.register(signOutRoutes, { config, store, auth })
  await app.register(healthRoutes, { store, draining })
  if (config.flowInspector) await app.register(flowRoutes, { store })

  // Typed without a cast: Fastify's decorate() does not widen the instance's type.
  const connectApp: ConnectApp = Object.assign(app, {
    markShuttingDown: () => void (shuttingDown = true),
  })
  return connectApp
}

function fastifyOptions(
  config: Readonly<Config>,
  dependencies: AppDependencies,
): FastifyServerOptions {
  return {
    loggerInstance: dependencies.logger,
    ...(dependencies.schemaController ? { schemaController: dependencies.schemaController } : {}),
    trustProxy: trustProxyOption(config.trustProxy),
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: urlencodedLimit, // urlencoded forms; multipart, for POST /send only, has its own limits
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: false },
    logController: new AccessLog(), // one access line per request, not two
  }
}

function defaultGraphFactory(config: Readonly<Config>): GraphFactory {
  return (options) =>
    createGraphClient({
      baseUrl: config.graphBaseUrl,
      timeoutMs: config.graph.timeoutMs,
      ...options,
      retryBudgetMs: options.retryBudgetMs ?? config.graph.retryBudgetMs,
    })
}

/** OA-14: only the configured proxies (a hop count or addresses); never the headers of a direct client. */
function trustProxyOption(
  value: Config['trustProxy'],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof value === 'number') return (_address, hop) => hop < value
  if (Array.isArray(value)) return [...value]
  return value === true
}
