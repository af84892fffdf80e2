// One mail state per emulator: the store, the throttle and the authenticator, shared by the Graph, control and inbox plugins.
import type { FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import type { Directory, User } from '../state/directory.ts'
import { createAuthenticator, type GraphAuth } from './auth.ts'
import { createMailStore, type MailStore } from './mail-store.ts'
import { createThrottle, type Throttle } from './throttle.ts'

/** The directory as the mail side reads it: findUser cached briefly (three lookups per send otherwise). */
export type UserLookup = Pick<Directory, 'findUser' | 'tenant'>

export interface GraphState {
  users: UserLookup
  store: MailStore
  throttle: Throttle
  authenticate: ReturnType<typeof createAuthenticator>
}
/** What the Graph hooks learnt about a request: the token, and the mailbox owner for /me and /users/{id} routes. */
export interface GraphRequest {
  auth: GraphAuth
  owner?: User
}

const states = new WeakMap<EmulatorContext, GraphState>()
const requests = new WeakMap<FastifyRequest, GraphRequest>()

export function graphState(ctx: EmulatorContext): GraphState {
  let state = states.get(ctx)
  if (!state) {
    const users = cachedUsers(ctx.directory)
    const created: GraphState = {
      users,
      store: createMailStore(ctx.db),
      throttle: createThrottle(ctx.options.throttling),
      authenticate: createAuthenticator(ctx),
    }
    ctx.onReset(() => {
      created.store.clear()
      created.throttle.reset()
      users.clear()
    })
    states.set(ctx, created)
    state = created
  }
  return state
}

export const setGraphRequest = (request: FastifyRequest, value: GraphRequest) =>
  void requests.set(request, value)

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

// Found users only, for a short time: users added at run time are seen at once, edits within USER_CACHE_MS.
const USER_CACHE_MS = 2000

function cachedUsers(directory: Directory): UserLookup & { clear(): void } {
  const cache = new Map<string, { user: User; until: number }>()
  return {
    get tenant() {
      return directory.tenant
    },
    findUser(idOrUpn) {
      const key = idOrUpn.toLowerCase()
      const now = Date.now()
      const hit = cache.get(key)
      if (hit && hit.until > now) return hit.user
      const user = directory.findUser(idOrUpn)
      if (user) {
        if (cache.size > 10_000) cache.clear()
        cache.set(key, { user, until: now + USER_CACHE_MS })
      } else cache.delete(key)
      return user
    },
    clear: () => cache.clear(),
  }
}
