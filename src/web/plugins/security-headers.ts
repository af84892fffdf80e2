/** `securityHeadersPlugin`: strict headers on every response (SE-07, OA-08); connections close while draining. */
import type { FastifyInstance } from 'fastify'

export interface SecurityHeadersOptions {
  /** The identity provider's origin: the disconnect form ends in a redirect there (CSP form-action). */
  authorityOrigin: string
  hsts: boolean
  /** True while draining: every response then closes its connection so keep-alive sockets do not hold the shutdown. */
  draining: () => boolean
}

/**
 * One onSend hook for every response (pages, redirects, errors, 404s, static files): the fixed headers, the
 * defaults a route did not set, and `connection: close` while the app drains (RE-09).
 */
export function securityHeadersPlugin(app: FastifyInstance, options: SecurityHeadersOptions): void {
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    `form-action 'self' ${options.authorityOrigin}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ')
  const fixed: Record<string, string> = {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'origin-agent-cluster': '?1',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), interest-cohort=()',
  }
  if (options.hsts) fixed['strict-transport-security'] = 'max-age=31536000; includeSubDomains'

  const fixedEntries = Object.entries(fixed)

  app.addHook('onSend', function securityHeaders(_request, reply, payload, done) {
    for (const [name, value] of fixedEntries) reply.header(name, value)
    if (options.draining()) reply.header('connection', 'close')
    if (!reply.hasHeader('referrer-policy'))
      reply.header('referrer-policy', 'strict-origin-when-cross-origin')
    // Pages can hold a user's name and mail: never cached. Static assets set their own caching.
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store')
    const type = reply.getHeader('content-type')
    if (typeof type === 'string' && type.startsWith('text/') && !type.includes('charset')) {
      reply.header('content-type', `${type}; charset=utf-8`)
    }
    done(null, payload)
  })
}
