/** CSRF defences (SE-06): `sameOrigin` (a route hook on Origin / Sec-Fetch-Site) and `assertCsrfToken`. */
import type { FastifyRequest, preHandlerHookHandler } from 'fastify'
import { AppError, safeEqual } from '../../core/index.ts'

const csrfError = (reason: string) =>
  new AppError('ERR_WEB_CSRF', { message: `CSRF check failed: ${reason}` })

/**
 * A route's preHandler: a cross-site browser request is refused whatever token it carries. Non-browser clients send
 * neither header and go on to the token check.
 */
export function sameOrigin(publicOrigin: string): preHandlerHookHandler {
  return function sameOrigin(request: FastifyRequest, _reply, done) {
    const origin = request.headers.origin
    if (origin !== undefined && origin !== publicOrigin) return done(csrfError('foreign Origin'))
    const site = request.headers['sec-fetch-site']
    if (site !== undefined && site !== 'same-origin' && site !== 'none')
      return done(csrfError(`Sec-Fetch-Site ${site}`))
    done()
  }
}

/** The synchronizer token: the form's `_csrf` must be the session's. */
export function assertCsrfToken(expected: string | undefined, given: unknown): void {
  if (!expected || typeof given !== 'string' || !safeEqual(expected, given))
    throw csrfError('token mismatch')
}
