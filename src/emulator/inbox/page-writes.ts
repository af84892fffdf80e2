/**
 * pageWrites: the guard of the viewer's actions (read flag, delete, empty), as strict as the control API's — loopback
 * clients only, nothing from another site, and a form only from a page of the emulator's own origin (JSON, which
 * another site's page cannot send unasked, from programs).
 */
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { sendControlError } from '../control/control-error.ts'
import { isLoopback } from '../control/loopback-only.ts'
import { foreignSource, isOwnOrigin, mediaType } from '../control/same-origin-writes.ts'

const FORM = 'application/x-www-form-urlencoded'

export function pageWrites(
  request: FastifyRequest,
  reply: FastifyReply,
  done: HookHandlerDoneFunction,
): void {
  if (!isLoopback(request.socket.remoteAddress))
    return void sendControlError(
      reply,
      403,
      'Forbidden',
      'The viewer takes changes from loopback clients only.',
    )
  const foreign = foreignSource(request)
  if (foreign) return void crossSite(reply, foreign)
  const type = mediaType(request.headers['content-type'])
  if (type === 'application/json') return done()
  if (type !== FORM)
    return void sendControlError(
      reply,
      415,
      'UnsupportedMediaType',
      `The viewer's actions take its own forms (${FORM}) or JSON.`,
    )
  // A form carries no proof of where it comes from but the browser's: Origin, or Sec-Fetch-Site: same-origin.
  if (!isOwnOrigin(request))
    return void crossSite(reply, 'no Origin or Sec-Fetch-Site: same-origin')
  done()
}

function crossSite(reply: FastifyReply, what: string): void {
  sendControlError(
    reply,
    403,
    'CrossSiteRequest',
    `Refused a request that may come from another site (${what}): the viewer's forms work from its own pages only.`,
  )
}
