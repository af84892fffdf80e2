/** `readSite` and `readListening`: where browsers reach the app (PUBLIC_URL, reply paths) and where it listens. */
import { configDefaults as defaults } from './config-defaults.ts'
import { isLoopbackHost, parseTrustProxy, type SettingsReader } from './config-parsers.ts'

/** The app as the browser sees it. */
export interface Site {
  /** The app's origin as the browser sees it, without a trailing slash. */
  publicUrl: string
  /** True when PUBLIC_URL is https (cookies get Secure and the __Host- prefix, HSTS is sent). */
  secureCookies: boolean
  /** publicUrl + REDIRECT_PATH: the only redirect_uri ever sent (OA-06). */
  redirectUri: string
  postLogoutRedirectUri: string
}

/** The site, and what the rest of the settings derive from PUBLIC_URL. */
export interface SiteReading {
  site: Site
  /** PUBLIC_URL is on loopback: the browser reaches the app directly, not through a proxy. */
  loopback: boolean
  /** PORT's default: PUBLIC_URL's own port when it is on loopback. */
  defaultPort: number
}

/** Where the server listens. */
export interface Listening {
  host: string
  port: number
  /** Fastify's trustProxy shapes: a boolean, a hop count, or addresses/CIDRs. */
  trustProxy: boolean | number | readonly string[]
}

/** PUBLIC_URL (an origin), REDIRECT_PATH (a path) and POST_LOGOUT_REDIRECT_URI (default: the origin's root). */
export function readSite(read: SettingsReader): SiteReading {
  const url = read.url('PUBLIC_URL', defaults.PUBLIC_URL, 'https://mail-app.example.com')
  if (url && url.pathname !== '/') {
    read.problem(
      'PUBLIC_URL',
      'must be an origin without a path.',
      'Set PUBLIC_URL to scheme://host[:port] only; the reply path is REDIRECT_PATH.',
    )
  }
  const loopback = url ? isLoopbackHost(url.hostname) : false
  const origin = url ? url.origin : defaults.PUBLIC_URL
  const redirectPath = readRedirectPath(read)
  const postLogout = read.url('POST_LOGOUT_REDIRECT_URI', `${origin}/`, `${origin}/`)
  const site: Site = {
    publicUrl: origin,
    secureCookies: origin.startsWith('https:'),
    redirectUri: `${origin}${redirectPath}`,
    postLogoutRedirectUri: postLogout ? postLogout.href : `${origin}/`,
  }
  const defaultPort =
    url && loopback ? Number(url.port || (url.protocol === 'https:' ? 443 : 80)) : defaults.PORT
  return { site, loopback, defaultPort }
}

/**
 * PORT (default from PUBLIC_URL on loopback), HOST and TRUST_PROXY. On loopback without a proxy, PORT must be
 * PUBLIC_URL's port (or 0, any free port, for tests): nothing forwards one to the other, so the sign-in would come back
 * to a port nobody listens on.
 */
export function readListening(read: SettingsReader, reading: SiteReading): Listening {
  const { defaultPort, loopback, site } = reading
  const port = read.port('PORT', defaultPort)
  const trustProxy = parseTrustProxy(read)
  if (loopback && trustProxy === false && port !== 0 && port !== defaultPort) {
    read.problem(
      'PORT',
      `is ${port}, but PUBLIC_URL (${site.publicUrl}) sends the browser to port ${defaultPort}, where nothing listens.`,
      `Remove PORT (it follows PUBLIC_URL), or set PUBLIC_URL to ${site.publicUrl.replace(/:\d+$/, '')}:${port}. Behind a local proxy, set TRUST_PROXY.`,
    )
  }
  return { host: read.string('HOST', defaults.HOST), port, trustProxy }
}

function readRedirectPath(read: SettingsReader): string {
  const path = read.string('REDIRECT_PATH', defaults.REDIRECT_PATH)
  if (!/^\/[^?#\s]*$/.test(path) || path.startsWith('//')) {
    read.problem(
      'REDIRECT_PATH',
      `"${path}" is not a path.`,
      `Set REDIRECT_PATH to a path like ${defaults.REDIRECT_PATH}.`,
    )
  }
  return path
}
