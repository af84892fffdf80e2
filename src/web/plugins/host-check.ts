/**
 * `hostCheckPlugin`: on a loopback PUBLIC_URL the app answers under its own name only. A page of another site whose
 * name an attacker pointed at 127.0.0.1 (DNS rebinding) gets 421 and nothing else (SE-16); another loopback name
 * (localhost for 127.0.0.1) is sent to PUBLIC_URL, where the sign-in's cookies and redirect URI live. Behind a proxy
 * (PUBLIC_URL not on loopback) Host is the proxy's to set, and nothing is checked.
 */
import type { FastifyInstance } from 'fastify'
import { isLoopbackHost } from '../../core/index.ts'

export function hostCheckPlugin(app: FastifyInstance, publicUrl: string): void {
  const own = new URL(publicUrl)
  if (!isLoopbackHost(own.hostname)) return
  const misdirected =
    `This Graph Connect answers at ${own.origin}/ only (its PUBLIC_URL). Open that address, ` +
    'or set PUBLIC_URL to the one you use.\n'
  app.addHook('onRequest', (request, reply, done) => {
    const hostname = hostnameOf(request.headers.host)
    if (hostname === own.hostname) return done()
    const movable = ['GET', 'HEAD'].includes(request.method) && request.url.startsWith('/')
    if (hostname && isLoopbackHost(hostname) && movable)
      return void reply.redirect(`${own.origin}${request.url}`, 307)
    void reply.code(421).type('text/plain; charset=utf-8').send(misdirected)
  })
}

/** The name in a Host header, lower case ([::1] keeps its brackets); undefined when absent or not a name. */
function hostnameOf(host: string | undefined): string | undefined {
  if (!host) return undefined
  try {
    return new URL(`http://${host}`).hostname
  } catch {
    return undefined
  }
}
