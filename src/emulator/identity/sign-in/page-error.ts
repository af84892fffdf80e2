/** The "Sorry, but we're having trouble signing you in." page for errors that must not be redirected. */
import type { EmulatorContext } from '../../context.ts'
import type { FastifyReply } from 'fastify'
import { strings, type Lang } from '../i18n/index.ts'
import { entraTimestamp, newErrorIds, type OAuthError } from '../oauth-error.ts'
import { errorPage } from './pages.ts'
import { sendPage } from './send-page.ts'

export function showPageError(
  context: EmulatorContext,
  reply: FastifyReply,
  error: OAuthError,
  lang: Lang,
  clientRequestId?: string,
): FastifyReply {
  const ids = newErrorIds(clientRequestId)
  const page = errorPage(
    { s: strings[lang], tenantName: context.directory.tenant.displayName },
    {
      message: error.message,
      requestId: ids.traceId,
      correlationId: ids.correlationId,
      timestamp: entraTimestamp(ids.now),
    },
  )
  return sendPage(reply, page, error.status >= 500 ? error.status : 400)
}
