/** What every route gets: config, the injected parts, views and helpers resolved once in buildApp. */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../core/config.ts'
import type { Store } from '../core/store/store.ts'
import type { Render } from './views.ts'
import type { AuthPort, GraphClient } from './ports.ts'
import type { Session, SessionUser } from './session.ts'
import type { createFormTokens } from './guards.ts'
import type { ErrorView } from './error-pages.ts'
import type { PageCache } from './page-cache.ts'

export interface WebContext {
  config: Readonly<Config>
  store: Store
  auth: AuthPort
  render: Render
  formTokens: ReturnType<typeof createFormTokens>
  graphFor(user: SessionUser): GraphClient
  state: { shuttingDown: boolean }
  page(
    request: FastifyRequest,
    reply: FastifyReply,
    view: string,
    data: Record<string, unknown>,
    session?: Session,
  ): FastifyReply
  /** The page's HTML without sending it. */
  pageHtml(
    request: FastifyRequest,
    view: string,
    data: Record<string, unknown>,
    session?: Session,
  ): string
  /** Rendered signed-in pages, kept per session, language and user (page-cache.ts). */
  pages: PageCache
  errorPage(request: FastifyRequest, reply: FastifyReply, view: ErrorView): FastifyReply
}
