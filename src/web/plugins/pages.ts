/** `pagesPlugin`: `reply.page(…)` and `reply.errorPage(…)` in the request's language, and the app's error pages. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { isAppError } from '../../core/index.ts'
import { describeError, type ErrorView } from '../error-pages.ts'
import { translators, type Lang } from '../i18n/i18n.ts'
import { securityEvent } from '../security-event.ts'
import type { Render } from '../views.ts'
import type { Session, SessionUser } from './session.ts'

/** The signed-in user as pages show them. */
export interface ViewUser {
  name: string
  /** The user's address: core's email, else the sign-in name. */
  address: string
  hasPhoto: boolean
}

/** What the layout shows, as plain data (the translator is derived from `lang`). */
export interface LayoutInput {
  lang: Lang
  /** Where the language links point: the page itself for / and /flow, else /. */
  langBase: string
  flowInspector: boolean
  /** Set on the pages of a signed-in session: the header then offers Disconnect (and the flow page). */
  user?: ViewUser
  /** The session's CSRF token, for the Disconnect form. */
  csrf?: string
}

export interface PagesOptions {
  views: Render
  flowInspector: boolean
  /** Named by the page that explains an unregistered reply URL (AADSTS50011). */
  redirectUri: string
}

declare module 'fastify' {
  interface FastifyReply {
    /** Renders `view` in the layout; with `session`, the header shows its signed-in user. */
    page(view: string, data: Record<string, unknown>, session?: Session): FastifyReply
    /** An error page: its status, Retry-After, and a reference (the request id) for server failures. */
    errorPage(view: ErrorView): FastifyReply
  }
}

export const htmlType = 'text/html; charset=utf-8'

/** Decorates replies with `page` and `errorPage`; sets the error and not-found handlers of the root instance. */
export function pagesPlugin(app: FastifyInstance, options: PagesOptions): void {
  const { views, flowInspector } = options
  app.decorateReply(
    'page',
    function page(
      this: FastifyReply,
      view: string,
      data: Record<string, unknown>,
      session?: Session,
    ) {
      const input = { ...data, ...layoutInput(this.request, flowInspector, session) }
      return this.type(htmlType).send(renderPage(views, view, input))
    },
  )
  app.decorateReply('errorPage', function errorPage(this: FastifyReply, view: ErrorView) {
    if (view.retryAfterSeconds) this.header('retry-after', String(view.retryAfterSeconds))
    this.code(view.status)
    const reference = view.unexpected || view.status >= 500 ? this.request.id : undefined
    return this.page('error', { ...view, pageTitle: view.title, reference })
  })
  app.setErrorHandler(function errorHandler(error, request, reply) {
    const view = describeError(error, request.t, options.redirectUri)
    logRefusal(request, error, view)
    return reply.errorPage(view)
  })
  app.setNotFoundHandler(function notFound(request, reply) {
    return reply.errorPage(describeError({ statusCode: 404 }, request.t, options.redirectUri))
  })
}

/** Renders a view from plain input: the translator is the one of `input.lang`. */
export function renderPage(views: Render, view: string, input: LayoutInput): string {
  return views(view, { ...input, t: translators[input.lang] })
}

/** The layout's input for this request; with a signed-in `session`, its user and CSRF token. */
export function layoutInput(
  request: FastifyRequest,
  flowInspector: boolean,
  session?: Session,
): LayoutInput {
  const route = request.routeOptions.url
  const user = session?.user
  return {
    lang: request.lang,
    langBase: route === '/' || route === '/flow' ? route : '/',
    flowInspector,
    user: user ? viewUser(user) : undefined,
    csrf: user ? session?.data.csrf : undefined,
  }
}

export function viewUser(user: SessionUser): ViewUser {
  const { name, username, email } = user.account
  return { name: name || username, address: email || username, hasPhoto: user.hasPhoto }
}

/** GET on a POST-only address: 405 with Allow. */
export async function methodNotAllowed(request: FastifyRequest, reply: FastifyReply) {
  reply.header('allow', 'POST')
  return reply.errorPage(describeError({ statusCode: 405 }, request.t))
}

function logRefusal(request: FastifyRequest, error: unknown, view: ErrorView): void {
  const code = isAppError(error) ? error.code : undefined
  if (code === 'ERR_WEB_CSRF') securityEvent(request, 'csrf.rejected', (error as Error).message)
  else if (code === 'ERR_WEB_RATE_LIMITED')
    securityEvent(request, 'ratelimit.hit', (error as Error).message)
  else if (view.unexpected) request.log.error({ err: error }, 'unexpected error')
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
