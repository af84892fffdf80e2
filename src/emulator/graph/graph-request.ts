/** What the Graph hooks learn about a request (the caller, the mailbox owner), kept on the request itself. */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { User } from '../state/directory.ts'
import type { GraphAuth } from './authenticate.ts'

export interface GraphRequest {
  auth: GraphAuth
  /** The mailbox owner, on /me and /users/{id} routes. */
  owner?: User
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the Graph scope's onRequest hook; null until then (and outside Graph routes). */
    graph: GraphRequest | null
  }
}

/** Gives the requests of a Graph scope their `graph` slot. */
export function decorateGraphRequest(scope: FastifyInstance): void {
  scope.decorateRequest('graph', null)
}

/** The authenticated caller; the Graph onRequest hook guarantees it for every Graph route. */
export function graphRequest(request: FastifyRequest): GraphRequest {
  if (!request.graph) throw new Error('Graph request state missing (hook not run)')
  return request.graph
}

/** The mailbox owner of a /me or /users/{id} route. */
export function owner(request: FastifyRequest): User {
  const user = graphRequest(request).owner
  if (!user) throw new Error('Mailbox owner missing (not a mailbox route)')
  return user
}
