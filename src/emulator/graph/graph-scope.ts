/** setUpGraphScope: the pipeline of /v1.0 and /beta: body parsers, Graph's headers, the bearer check, errors. */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import type { Authenticator, GraphAuth } from './authenticate.ts'
import { GraphError, sendGraphError, setGraphHeaders } from './graph-error.ts'
import { admit } from './mailbox-route.ts'
import { authorizeRoute } from './permissions.ts'

/** Graph's per-request limit [protocol-spec.md B]; upload-session ranges (upload-routes.ts) have their own. */
export const REQUEST_LIMIT = 4 * 1024 * 1024
/** Graph's answer to a body over 4 MB: status 413, code BadRequest (docs/EMULATOR-CONTROL.md "Limits", sources). */
export const requestTooLarge = () =>
  new GraphError(413, 'BadRequest', 'The maximum request length supported is 4MB.')
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
  addBodyParsers(scope)

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

  // Every route's permission, from Microsoft's catalogue (after the body is read, before the handler).
  scope.addHook('preHandler', (request, _reply, done) => {
    try {
      authorizeRoute(request)
    } catch (error) {
      return done(error as Error)
    }
    done()
  })

  scope.setErrorHandler(graphErrorHandler)
  scope.setNotFoundHandler(async (request, reply) => {
    const segment = notFoundSegment(request.url)
    return sendGraphError(
      reply,
      new GraphError(400, 'BadRequest', `Resource not found for the segment '${segment}'.`),
    )
  })
}

/** JSON (an empty body is none), and text/plain for sendMail's base64 MIME [protocol-spec.md B2.1]; nothing else. */
function addBodyParsers(scope: FastifyInstance): void {
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
  scope.addContentTypeParser(
    'text/plain',
    { parseAs: 'string', bodyLimit: REQUEST_LIMIT },
    (_request, text, done) => done(null, text),
  )
}

/** Graph's envelope for every failure: GraphErrors as thrown, Fastify's own mapped to Graph's codes. */
function graphErrorHandler(
  error: FastifyError | GraphError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (error instanceof GraphError) return sendGraphError(reply, error)
  const status = error.statusCode ?? 500
  if (status === 413) return sendGraphError(reply, requestTooLarge())
  if (status === 415) {
    const message = MIME_ERROR.replace('{type}', String(request.headers['content-type'] ?? ''))
    return sendGraphError(reply, new GraphError(415, 'RequestBodyRead', message))
  }
  if (status < 500) return sendGraphError(reply, new GraphError(status, 'BadRequest', JSON_ERROR))
  request.log.error({ err: error }, 'Graph handler failed')
  const message = 'An internal server error occurred.'
  return sendGraphError(reply, new GraphError(500, 'generalException', message))
}

function notFoundSegment(url: string): string {
  const segments = url.split('?')[0]!.split('/').filter(Boolean).slice(1)
  const known = new Set(['me', 'users', 'messages', 'mailfolders', 'attachments', 'photo'])
  return decodeURIComponent(
    segments.find((segment) => !known.has(segment.toLowerCase())) ?? segments.at(-1) ?? '',
  )
}
