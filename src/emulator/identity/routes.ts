/**
 * identityRoutes: the identity endpoints (Entra's paths on the emulator's base URL) as one encapsulated plugin, with
 * its own body parsers, cookies, static assets and an error handler that answers in the protocol's format.
 */
import { readFileSync } from 'node:fs'
import cookie from '@fastify/cookie'
import formbody from '@fastify/formbody'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import { authorizeRoutes } from './endpoints/authorize.ts'
import { deviceCodeRoutes } from './endpoints/device-code.ts'
import { discoveryRoutes } from './endpoints/discovery.ts'
import { logoutRoutes } from './endpoints/logout.ts'
import { tokenRoutes } from './endpoints/token-endpoint.ts'
import { userinfoRoutes } from './endpoints/userinfo.ts'
import { pickLang } from './i18n/index.ts'
import { aadsts, errorJson, newErrorIds, OAuthError } from './oauth-error.ts'
import { deviceLoginRoutes } from './sign-in/device-login.ts'
import { loginRoutes } from './sign-in/login.ts'
import { showPageError } from './sign-in/page-error.ts'
import { ASSETS } from './sign-in/pages.ts'

const ASSET_TYPES: Record<string, string> = {
  'sign-in.css': 'text/css; charset=utf-8',
  'sign-in.js': 'text/javascript; charset=utf-8',
  'form-post.js': 'text/javascript; charset=utf-8',
  'logo.svg': 'image/svg+xml',
  'person.svg': 'image/svg+xml',
}
/** The pages' static files, read once at start. */
const assets = new Map(
  Object.keys(ASSET_TYPES).map((name) => [
    name,
    readFileSync(new URL(`./assets/${name}`, import.meta.url)),
  ]),
)

const ENDPOINTS = [
  discoveryRoutes,
  authorizeRoutes,
  loginRoutes,
  tokenRoutes,
  deviceCodeRoutes,
  deviceLoginRoutes,
  logoutRoutes,
  userinfoRoutes,
]

export async function identityRoutes(
  app: FastifyInstance,
  context: EmulatorContext,
): Promise<void> {
  await app.register(cookie)
  await app.register(formbody, { bodyLimit: 1024 * 1024 })
  // Anything that is not a form (or JSON) is read as nothing: the endpoint then reports the missing parameter.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => done(null, {}))
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, JSON.parse(String(body)))
    } catch {
      done(null, {})
    }
  })
  app.setErrorHandler((error: FastifyError, request, reply) =>
    identityError(context, error, request, reply),
  )
  app.get<{ Params: { name: string } }>(`${ASSETS}/:name`, (request, reply) => {
    const body = assets.get(request.params.name)
    if (!body) return reply.code(404).type('text/plain').send('Not found')
    return reply
      .header('content-type', ASSET_TYPES[request.params.name]!)
      .header('cache-control', 'public, max-age=3600')
      .header('x-content-type-options', 'nosniff')
      .send(body)
  })
  for (const endpoint of ENDPOINTS) await app.register((scope) => endpoint(scope, context))
}

/** An error no endpoint answered: Entra's error page for the pages, its OAuth JSON for the API (500 as 90033). */
function identityError(
  context: EmulatorContext,
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const oauth =
    error instanceof OAuthError
      ? error
      : (error.statusCode ?? 500) < 500
        ? aadsts.malformed()
        : new OAuthError(
            500,
            'server_error',
            90033,
            'A transient error has occurred. Please try again.',
          )
  if (oauth.status >= 500) request.log.error({ err: error }, 'identity endpoint failed')
  const wantsHtml =
    request.method === 'GET' || /\/(login|authorize|devicelogin|logout)\b/.test(request.url)
  if (wantsHtml && !request.url.includes('/token')) {
    const lang = pickLang(undefined, request.headers['accept-language'])
    return showPageError(context, reply, oauth, lang)
  }
  return reply
    .code(oauth.status)
    .header('cache-control', 'no-store')
    .send(errorJson(oauth, newErrorIds()))
}
