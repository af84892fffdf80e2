/**
 * sameOriginWrites: the control API's guard against cross-site requests — a change (any method but GET and HEAD) needs
 * a JSON body and comes from a program (no Origin) or a page of the emulator's own origin, never from another site.
 * foreignSource and isOwnOrigin: the same checks, for the inbox viewer's own forms.
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
  const foreign = foreignSource(request)
  if (foreign) return void crossSite(reply, foreign)
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

/**
 * What shows a request came from another site — `Sec-Fetch-Site` other than same-origin or none, an `Origin` other
 * than the emulator's own (`null` included) — as a header to name in the refusal; undefined when nothing does.
 */
export function foreignSource(request: FastifyRequest): string | undefined {
  const site = request.headers['sec-fetch-site']
  if (site !== undefined && !OWN_SITES.has(String(site).toLowerCase()))
    return `Sec-Fetch-Site: ${String(site)}`
  const origin = request.headers.origin
  if (origin !== undefined && origin.toLowerCase() !== ownOrigin(request))
    return `Origin: ${origin.slice(0, 100)}`
  return undefined
}

/** A browser's word that the request comes from a page of the emulator's own origin (not merely no other one). */
export function isOwnOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin
  if (origin !== undefined) return origin.toLowerCase() === ownOrigin(request)
  return String(request.headers['sec-fetch-site']).toLowerCase() === 'same-origin'
}

const ownOrigin = (request: FastifyRequest) => `${request.protocol}://${request.host}`.toLowerCase()

function crossSite(reply: FastifyReply, what: string): void {
  sendControlError(
    reply,
    403,
    'CrossSiteRequest',
    `Refused a request from another site (${what}): the control API takes changes from programs (no Origin header) and from pages of its own origin only.`,
  )
}

/** `application/json; charset=utf-8` → `application/json`; '' without a header. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase()
}
