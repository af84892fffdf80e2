/** `signInRoutes`: GET /connect (to the identity provider) and GET /connect/get_token/ (the seed's reply URL). */
import { randomBytes } from 'node:crypto'
import type { FastifyInstance, FastifyRequest, RouteHandlerMethod } from 'fastify'
import { AppError, AuthError, type Config, type Store } from '../../core/index.ts'
import { describeError } from '../error-pages.ts'
import { addCalls, describeAuthorize, describeCallback, flowKey } from '../flow-record.ts'
import { createFlowRecorder, type FlowRecorder } from '../flow-recorder.ts'
import type { GraphFor } from '../graph-for.ts'
import {
  createPendingSignIns,
  type PendingSignIn,
  type PendingSignIns,
} from '../pending-sign-ins.ts'
import { rateLimit } from '../plugins/rate-limit.ts'
import type { SessionUser } from '../plugins/session.ts'
import type { AuthPort } from '../ports.ts'
import { keepPhoto } from '../profile-photo.ts'
import { securityEvent } from '../security-event.ts'
import { forgetUser } from './sign-out.ts'

export interface SignInRoutesOptions {
  config: Readonly<Config>
  store: Store
  auth: AuthPort
  graphFor: GraphFor
}

/** The routes' options and what they derive from them, resolved once. */
interface SignInSetup extends SignInRoutesOptions {
  redirectPath: string
  pending: PendingSignIns
}

export async function signInRoutes(
  app: FastifyInstance,
  options: SignInRoutesOptions,
): Promise<void> {
  const setup: SignInSetup = {
    ...options,
    redirectPath: new URL(options.config.redirectUri).pathname,
    pending: createPendingSignIns(options.store, options.config.secureCookies),
  }
  app.get('/connect', connect(setup))
  app.get(setup.redirectPath, getToken(setup))
}

/** GET /connect: the authorize redirect; the sign-in waits, bound to this browser, for the callback. */
function connect(setup: SignInSetup): RouteHandlerMethod {
  const { config, store, auth } = setup
  return async function connect(request, reply) {
    const limit = await rateLimit(store, `signin:${request.ip}`, config.limits.signInsPerMinute)
    if (!limit.ok)
      throw new AppError('ERR_WEB_RATE_LIMITED', {
        message: `rate limit signin:${request.ip}`,
        retryAfterSeconds: limit.retryAfterSeconds,
      })
    // "Use another account" on a cancelled sign-in's page: the identity provider shows its account picker.
    const chooseAccount = (request.query as { prompt?: unknown }).prompt === 'select_account'
    const { url, record } = await auth.beginSignIn(
      chooseAccount ? { prompt: 'select_account' } : undefined,
    )
    const authorize = config.flowInspector ? describeAuthorize(url) : undefined
    await setup.pending.keep(request, reply, record, authorize)
    return reply.header('cache-control', 'no-store').redirect(url, 302)
  }
}

/**
 * The reply URL: the pending sign-in taken, the code redeemed, the session made (any earlier one rotated and its
 * user forgotten), the flow recorded.
 */
function getToken(setup: SignInSetup): RouteHandlerMethod {
  const { config } = setup
  return async function getToken(request, reply) {
    reply.header('referrer-policy', 'no-referrer').header('cache-control', 'no-store')
    const query = stringParams(request.query)
    const pending = await setup.pending.take(request, query.state)
    if (!pending) {
      const refused = new AuthError('ERR_AUTH_STATE_INVALID')
      return reply.errorPage(describeError(refused, request.t, config.redirectUri))
    }
    const session = await request.session()
    try {
      const partition = randomBytes(32).toString('base64url')
      const recorder = config.flowInspector ? createFlowRecorder() : undefined
      const user = await signIn(setup, request, { pending, query, partition, recorder })
      const previous = session.user
      await session.regenerate()
      session.data.user = user
      session.changed()
      await session.save()
      if (previous) await forgetUser(setup, previous)
      if (recorder) await saveFlow(setup, { pending, query, partition, recorder })
      securityEvent(request, 'signin.success', 'code redeemed, ID token valid', {
        user: user.account.username,
      })
      return reply.redirect('/', 303)
    } catch (error) {
      const view = describeError(error, request.t, config.redirectUri)
      if (view.unexpected) throw error
      securityEvent(request, 'signin.failed', (error as Error).message, {
        errorCode: (error as AuthError).code,
        aadsts: (error as AuthError).aadsts,
      })
      return reply.errorPage(view)
    }
  }
}

/** One callback's sign-in: what was pending, what came back, the new partition, the flow recorder if any. */
interface Callback {
  pending: PendingSignIn
  query: Record<string, string>
  partition: string
  recorder: FlowRecorder | undefined
}

/** Redeems the code (core checks everything), then keeps the photo so GET / needs no Graph call. */
async function signIn(
  setup: SignInSetup,
  request: FastifyRequest,
  callback: Callback,
): Promise<SessionUser> {
  const { pending, query, partition, recorder } = callback
  const account = await setup.auth.completeSignIn(
    pending.record,
    query,
    partition,
    recorder?.onTokenExchange,
  )
  const user: SessionUser = { account, partition, hasPhoto: false }
  user.hasPhoto = await keepPhoto({
    graph: () => setup.graphFor(user, recorder),
    store: setup.store,
    partition,
    ttlSeconds: setup.config.session.absoluteSeconds,
    log: request.log,
  })
  return user
}

/** Steps 1-4 of the flow page (and the photo call), kept for the new partition. */
async function saveFlow(setup: SignInSetup, callback: Callback & { recorder: FlowRecorder }) {
  const { config } = setup
  const flow = addCalls(
    {
      authorize: callback.pending.authorize,
      callback: describeCallback(setup.redirectPath, callback.query),
      graph: [],
    },
    callback.recorder.calls,
    config.graphBaseUrl,
  )
  await setup.store.set(flowKey(callback.partition), flow, config.session.absoluteSeconds)
}

/** Query parameters as single strings (a repeated parameter keeps its first value). */
function stringParams(query: unknown): Record<string, string> {
  const params: Record<string, string> = {}
  for (const [name, value] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    const first = Array.isArray(value) ? value[0] : value
    if (typeof first === 'string') params[name] = first
  }
  return params
}
