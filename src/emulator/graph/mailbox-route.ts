/** mailboxRoute: a Graph route on /me and /users/{id}; admit(): its caller, mailbox owner and throttling slot. */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import type { GraphAuth } from './authenticate.ts'
import { GraphError } from './graph-error.ts'
import type { GraphRequest } from './graph-request.ts'
import { accessDenied } from './permissions.ts'
import { UNLIMITED } from './throttle.ts'

/** Route config: `mailbox` routes resolve the owner; `throttled` ones count against Outlook's limits. */
export interface GraphRouteConfig {
  mailbox?: 'me' | 'user'
  throttled?: 'request' | 'send'
  /** A profile route (/me, /users/{id}, photo): another user's profile is readable with the right scope. */
  profile?: boolean
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

/** Records the caller, resolves the mailbox owner and applies throttling; then continues (or fails) the request. */
export function admit(
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
      const journaled = request.journalTrace?.entry
      if (journaled) journaled.mailbox = mailboxOwner.id
      if (config.throttled) {
        const admission = context.throttle.enter(`${auth.claims.appid}|${mailboxOwner.id}`, {
          send: config.throttled === 'send',
          upload: uploadOf(request, mailboxOwner.id),
        })
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

/** The bytes a POST, PATCH or PUT brings into the mailbox (Outlook's upload budget is per mailbox). */
function uploadOf(request: FastifyRequest, mailbox: string) {
  if (!['POST', 'PATCH', 'PUT'].includes(request.method)) return undefined
  return { mailbox, bytes: Number(request.headers['content-length'] ?? 0) || 0 }
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
