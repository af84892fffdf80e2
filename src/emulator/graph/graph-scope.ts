// The Graph pipeline shared by /v1.0 and /beta: body parsers, headers, bearer check, mailbox + throttling, errors.
import type { EmulatorContext } from '../context.ts'
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RouteOptions,
} from 'fastify'
import { accessDenied, type Authenticator, type GraphAuth } from './auth.ts'
import { GraphError, sendGraphError, setGraphHeaders } from './graph-error.ts'
import type { GraphRequest } from './graph-request.ts'
import { UNLIMITED } from './throttle.ts'

/** Graph's per-request limit [protocol-spec.md B]. */
export const REQUEST_LIMIT = 4 * 1024 * 1024
/** Route config: `mailbox` routes resolve the owner; `throttled` ones count against Outlook's limits. */
export interface GraphRouteConfig {
  mailbox?: 'me' | 'user'
  throttled?: 'request' | 'send'
  profile?: boolean
}

const MIME_ERROR =
  'A supported MIME type could not be found that matches the content type of the response. None of the ' +
  "supported type(s) 'application/json, text/plain' matches the content type '{type}'."
const JSON_ERROR =
  'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.'

export function setUpGraphScope(
  scope: FastifyInstance,
  context: EmulatorContext,
  authenticate: Authenticator,
): void {
  scope.removeAllContentTypeParsers()
  scope.addContentTypeParser(
    ['application/json', 'text/json'],
    { parseAs: 'string', bodyLimit: REQUEST_LIMIT },
    (_request, text, done) => {
      if (String(text).trim() === '') return done(null, undefined)
      try {
        done(null, JSON.parse(String(text)))
      } catch {
        done(new GraphError(400, 'BadRequest', JSON_ERROR), undefined)
      }
    },
  )
  // sendMail also takes base64 MIME as text/plain [protocol-spec.md B2.1].
  scope.addContentTypeParser(
    'text/plain',
    { parseAs: 'string', bodyLimit: REQUEST_LIMIT },
    (_request, text, done) => done(null, text),
  )

  // Callback-style (it runs on every Graph request): a cached token is checked without a promise.
  scope.addHook('onRequest', (request, reply, done) => {
    setGraphHeaders(request, reply)
    let auth: GraphAuth | Promise<GraphAuth>
    try {
      auth = authenticate(request)
    } catch (error) {
      return done(error as Error)
    }
    if (auth instanceof Promise)
      auth.then((verified) => admit(request, reply, context, verified, done), done)
    else admit(request, reply, context, auth, done)
  })

  scope.setErrorHandler((error: FastifyError | GraphError, request, reply) => {
    if (error instanceof GraphError) return sendGraphError(reply, error)
    const status = error.statusCode ?? 500
    if (status === 413)
      return sendGraphError(
        reply,
        new GraphError(
          413,
          'RequestEntityTooLarge',
          'The request payload is too large. The maximum is 4 MB.',
        ),
      )
    if (status === 415)
      return sendGraphError(
        reply,
        new GraphError(
          415,
          'RequestBodyRead',
          MIME_ERROR.replace('{type}', String(request.headers['content-type'] ?? '')),
        ),
      )
    if (status < 500) return sendGraphError(reply, new GraphError(status, 'BadRequest', JSON_ERROR))
    request.log.error({ err: error }, 'Graph handler failed')
    return sendGraphError(
      reply,
      new GraphError(500, 'generalException', 'An internal server error occurred.'),
    )
  })

  scope.setNotFoundHandler(async (request, reply) => {
    const segment = notFoundSegment(request.url)
    return sendGraphError(
      reply,
      new GraphError(400, 'BadRequest', `Resource not found for the segment '${segment}'.`),
    )
  })
}

/** Records the caller, resolves the mailbox owner and applies throttling; then continues (or fails) the request. */
function admit(
  request: FastifyRequest,
  reply: FastifyReply,
  context: EmulatorContext,
  auth: GraphAuth,
  done: (error?: Error) => void,
): void {
  let failure: Error | undefined
  try {
    const config = request.routeOptions.config as GraphRouteConfig
    const entry: GraphRequest = { auth }
    request.graph = entry
    if (config.mailbox) {
      const mailboxOwner = resolveOwner(request, context, auth, config)
      entry.owner = mailboxOwner
      if (config.throttled) {
        const admission = context.throttle.enter(
          `${auth.claims.appid}|${mailboxOwner.id}`,
          config.throttled === 'send',
        )
        if (admission instanceof GraphError) throw admission
        if (admission !== UNLIMITED) {
          reply.raw.once('close', admission.release)
          reply.raw.once('finish', admission.release)
        }
      }
    }
  } catch (error) {
    failure = error as Error
  }
  done(failure) // outside the try: what the request does next must not come back here as this hook's error
}

function resolveOwner(
  request: FastifyRequest,
  context: EmulatorContext,
  auth: GraphAuth,
  config: GraphRouteConfig,
) {
  if (config.mailbox === 'me') {
    if (!auth.delegated)
      throw new GraphError(
        400,
        'BadRequest',
        '/me request is only valid with delegated authentication flow.',
      )
    const user = context.directory.findUser(auth.claims.oid)
    if (!user)
      throw new GraphError(
        404,
        'ErrorInvalidUser',
        `The requested user '${auth.claims.oid}' is invalid.`,
      )
    return user
  }
  const id = decodeURIComponent((request.params as { user: string }).user)
  const user = context.directory.findUser(id.replace(/^'(.*)'$/, '$1'))
  if (!user) {
    if (config.profile) {
      throw new GraphError(
        404,
        'Request_ResourceNotFound',
        `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
      )
    }
    throw new GraphError(404, 'ErrorInvalidUser', `The requested user '${id}' is invalid.`)
  }
  // Delegated access to another user's mailbox needs shared-mailbox rights, which the emulator does not model.
  if (auth.delegated && user.id !== auth.claims.oid && !config.profile) throw accessDenied()
  return user
}

function notFoundSegment(url: string): string {
  const segments = url.split('?')[0]!.split('/').filter(Boolean).slice(1)
  const known = new Set(['me', 'users', 'messages', 'mailfolders', 'attachments', 'photo'])
  return decodeURIComponent(
    segments.find((segment) => !known.has(segment.toLowerCase())) ?? segments.at(-1) ?? '',
  )
}

/** Registers a route for both `/me{suffix}` and `/users/{id}{suffix}`. */
export function mailboxRoute(
  scope: FastifyInstance,
  method: RouteOptions['method'],
  suffix: string,
  config: Omit<GraphRouteConfig, 'mailbox'>,
  handler: (request: FastifyRequest, reply: FastifyReply) => unknown,
): void {
  scope.route({
    method,
    url: `/me${suffix}`,
    config: { ...config, mailbox: 'me' } as object,
    handler: handler as RouteOptions['handler'],
  })
  scope.route({
    method,
    url: `/users/:user${suffix}`,
    config: { ...config, mailbox: 'user' } as object,
    handler: handler as RouteOptions['handler'],
  })
}
