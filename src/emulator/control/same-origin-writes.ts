/**
 * sameOriginWrites: the control API's guard against cross-site requests — a change (any method but GET and HEAD) needs
 * a JSON body and comes from a program (no Origin) or a page of the emulator's own origin, never from another site.
 */
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { sendControlError } from './control-error.ts'

const READS = new Set(['GET', 'HEAD'])
/** Sec-Fetch-Site values of a request the emulator's own page or the user (typed URL, bookmark) made. */
const OWN_SITES = new Set(['same-origin', 'none'])

export function sameOriginWrites(
  request: FastifyRequest,
  reply: FastifyReply,
  done: HookHandlerDoneFunction,
): void {
  if (READS.has(request.method)) return done()
  const site = request.headers['sec-fetch-site']
  if (site !== undefined && !OWN_SITES.has(String(site).toLowerCase()))
    return void crossSite(reply, `Sec-Fetch-Site: ${String(site)}`)
  const origin = request.headers.origin
  const own = `${request.protocol}://${request.host}`.toLowerCase()
  if (origin !== undefined && origin.toLowerCase() !== own)
    return void crossSite(reply, `Origin: ${origin.slice(0, 100)}`)
  // A page of another site can send text/plain, forms and multipart without asking (no CORS preflight), never JSON.
  if (mediaType(request.headers['content-type']) !== 'application/json') {
    return void sendControlError(
      reply,
      415,
      'UnsupportedMediaType',
      'Changes through the control API take a JSON body: send Content-Type: application/json, with {} when there is nothing to say.',
    )
  }
  done()
}

function crossSite(reply: FastifyReply, what: string): void {
  sendControlError(
    reply,
    403,
    'CrossSiteRequest',
    `Refused a request from another site (${what}): the control API takes changes from programs (no Origin header) and from pages of its own origin only.`,
  )
}

/** `application/json; charset=utf-8` → `application/json`; '' without a header. */
function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase()
}
