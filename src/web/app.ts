/** buildApp(config, deps): the Connect web app as a Fastify instance, not listening (server.ts listens). */
import { randomUUID } from 'node:crypto'
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify'
import cookie from '@fastify/cookie'
import formbody from '@fastify/formbody'
import type { Config } from '../core/config.ts'
import type { Store } from '../core/store/store.ts'
import { languageContext } from './context.ts'
import { describeError, type ErrorView } from './error-pages.ts'
import { createRecordingFetch } from './flow.ts'
import { createFormTokens, CsrfError, HttpProblem } from './guards.ts'
import { securityHeaders } from './security-headers.ts'
import { staticFiles } from './static-files.ts'
import { AccessLog } from './access-log.ts'
import { createPageCache } from './page-cache.ts'
import { schemaCompilers } from './schema-compilers.ts'
import { securityEvent } from './security-log.ts'
import { sessionPlugin, type Session } from './session.ts'
import { createViews } from './views.ts'
import { authRoutes } from './routes/auth-routes.ts'
import { mailRoutes } from './routes/mail-routes.ts'
import { opsRoutes } from './routes/ops-routes.ts'
import type { AuthPort, GraphFactory } from './ports.ts'
import type { WebContext } from './web-context.ts'
import { createGraphClient } from '../core/graph/graph-client.ts'
import { mailLimits } from '../core/mail/mail-limits.ts'
import { recordGraphCall } from './flow.ts'

export interface AppDeps {
  store: Store
  auth: AuthPort
  logger: FastifyBaseLogger
  /** Builds a Graph client for one user. Defaults to core's createGraphClient with the flow inspector's onCall. */
  graphFactory?: GraphFactory
  /** The flow recorder's fetch (createRecordingFetch) that auth uses too; composeApp makes it once for both. */
  fetch?: typeof fetch
}

export interface ConnectApp extends FastifyInstance {
  /** Readiness drops at once (RE-09); server.ts calls it on SIGTERM. */
  markShuttingDown(): void
}

const urlencodedLimit = mailLimits.bodyBytes + 64 * 1024 // a send form without attachments, with room for the other fields

export async function buildApp(config: Readonly<Config>, deps: AppDeps): Promise<ConnectApp> {
  const app = Fastify({
    loggerInstance: deps.logger,
    trustProxy: trustProxyOption(config.trustProxy),
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: urlencodedLimit, // urlencoded forms; multipart, for POST /send only, has its own limits (send-form.ts)
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: false },
    logController: new AccessLog(), // one access line per request, not two
    schemaController: schemaCompilers, // loaded only if a route declares a schema (none does)
  })
  const render = createViews()
  const state = { shuttingDown: false }
  const recordingFetch = deps.fetch ?? createRecordingFetch(globalThis.fetch)
  const authorityOrigin = new URL(config.authority).origin
  const graphFactory: GraphFactory =
    deps.graphFactory ??
    ((options) =>
      createGraphClient({
        baseUrl: config.graphBaseUrl,
        fetch: options.fetch,
        token: options.token,
        timeoutMs: config.graph.timeoutMs,
        retryBudgetMs: config.graph.retryBudgetMs,
        onCall: recordGraphCall,
      }))

  await app.register(cookie)
  await app.register(formbody, { bodyLimit: urlencodedLimit })
  securityHeaders(app, {
    authorityOrigin,
    hsts: config.secureCookies,
    draining: () => state.shuttingDown,
  })
  languageContext(app, { secure: config.secureCookies })
  await app.register(sessionPlugin, {
    store: deps.store,
    secret: config.sessionSecret,
    cookieName: config.secureCookies ? '__Host-session' : 'session',
    secure: config.secureCookies,
    idleSeconds: config.session.idleSeconds,
    absoluteSeconds: config.session.absoluteSeconds,
  })
  staticFiles(app, {
    folder: new URL('./static/', import.meta.url),
    prefix: '/static/',
    maxAgeSeconds: 3600,
  })

  function pageHtml(
    request: FastifyRequest,
    view: string,
    data: Record<string, unknown>,
    session?: Session,
  ): string {
    const user = session?.key ? session.data.user : undefined
    const langBase =
      request.routeOptions.url === '/' || request.routeOptions.url === '/flow'
        ? request.routeOptions.url
        : '/'
    return render(view, {
      ...data,
      lang: request.lang,
      t: request.t,
      langBase,
      user,
      csrf: user ? session?.data.csrf : undefined,
      flowInspector: config.flowInspector,
    })
  }

  function page(
    request: FastifyRequest,
    reply: FastifyReply,
    view: string,
    data: Record<string, unknown>,
    session?: Session,
  ) {
    return reply.type('text/html; charset=utf-8').send(pageHtml(request, view, data, session))
  }

  function errorPage(request: FastifyRequest, reply: FastifyReply, view: ErrorView) {
    if (view.retryAfterSeconds) reply.header('retry-after', String(view.retryAfterSeconds))
    reply.code(view.status)
    return page(request, reply, 'error', {
      ...view,
      pageTitle: view.title,
      reference: view.unexpected || view.status >= 500 ? request.id : undefined,
    })
  }

  const context: WebContext = {
    config,
    store: deps.store,
    auth: deps.auth,
    render,
    formTokens: createFormTokens(config.sessionSecret),
    graphFor: (user) =>
      graphFactory({
        token: () => deps.auth.acquireToken(user.partition, user.account),
        fetch: recordingFetch,
      }),
    state,
    page,
    pageHtml,
    pages: createPageCache(1000),
    errorPage,
  }

  app.setErrorHandler(function errorHandler(error, request, reply) {
    let view: ErrorView
    if (error instanceof CsrfError || (error instanceof HttpProblem && error.statusCode === 403)) {
      securityEvent(request, 'csrf.rejected', error.message)
      view = {
        status: 403,
        title: request.t('error.csrf.title'),
        lines: [request.t('error.csrf.text')],
        action: 'reload',
      }
    } else if (error instanceof HttpProblem && error.statusCode === 429) {
      securityEvent(request, 'ratelimit.hit', error.message)
      const seconds = error.retryAfterSeconds ?? 60
      view = {
        status: 429,
        title: request.t('error.rateLimited.title'),
        lines: [request.t('error.rateLimited.text', { seconds })],
        action: 'home',
        retryAfterSeconds: seconds,
      }
    } else {
      view = describeError(error, request.t, config.redirectUri)
      if (view.unexpected) request.log.error({ err: error }, 'unexpected error')
      else if (view.status >= 500)
        request.log.warn(
          { err: error, code: (error as { code?: string }).code },
          'upstream or store failure',
        )
      else
        request.log.info(
          { code: (error as { code?: string }).code, status: view.status },
          'request refused',
        )
    }
    return errorPage(request, reply, view)
  })
  app.setNotFoundHandler(function notFound(request, reply) {
    return errorPage(
      request,
      reply,
      describeError({ statusCode: 404 }, request.t, config.redirectUri),
    )
  })

  authRoutes(app, context)
  mailRoutes(app, context)
  opsRoutes(app, context)

  app.decorate('markShuttingDown', () => void (state.shuttingDown = true))
  return app as unknown as ConnectApp
}

/** OA-14: only the configured proxies (a hop count or addresses); never the headers of a direct client. */
function trustProxyOption(
  value: Config['trustProxy'],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof value === 'number') return (_address, hop) => hop < value
  if (Array.isArray(value)) return [...value]
  return value === true
}
