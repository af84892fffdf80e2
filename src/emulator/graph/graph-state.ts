// One mail state per emulator: the store, the throttle and the authenticator, shared by the Graph, control and inbox plugins.
import type { FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import type { User } from '../directory.ts'
import { createAuthenticator, type GraphAuth } from './auth.ts'
import { createMailStore, type MailStore } from './mail-store.ts'
import { createThrottle, type Throttle } from './throttle.ts'

export interface GraphState {
  store: MailStore
  throttle: Throttle
  authenticate: ReturnType<typeof createAuthenticator>
}
/** What the Graph hooks learnt about a request: the token, and the mailbox owner for /me and /users/{id} routes. */
export interface GraphRequest { auth: GraphAuth; owner?: User }

const states = new WeakMap<EmulatorContext, GraphState>()
const requests = new WeakMap<FastifyRequest, GraphRequest>()

export function graphState(ctx: EmulatorContext): GraphState {
  let state = states.get(ctx)
  if (!state) {
    const created: GraphState = {
      store: createMailStore(ctx.db),
      throttle: createThrottle(ctx.options.throttling),
      authenticate: createAuthenticator(ctx),
    }
    ctx.onReset(() => {
      created.store.clear()
      created.throttle.reset()
    })
    states.set(ctx, created)
    state = created
  }
  return state
}

export const setGraphRequest = (request: FastifyRequest, value: GraphRequest) => void requests.set(request, value)

/** The authenticated caller; the Graph onRequest hook guarantees it for every Graph route. */
export function graphRequest(request: FastifyRequest): GraphRequest {
  const value = requests.get(request)
  if (!value) throw new Error('Graph request state missing (hook not run)')
  return value
}

/** The mailbox owner of a /me or /users/{id} route. */
export function owner(request: FastifyRequest): User {
  const user = graphRequest(request).owner
  if (!user) throw new Error('Mailbox owner missing (not a mailbox route)')
  return user
}
