/** `signInRoutes`: GET /connect, GET /connect/get_token/ (the seed's reply URL), POST /disconnect. */
import { createHash, randomBytes } from 'node:crypto'
import type { FastifyInstance, FastifyRequest, RouteHandlerMethod } from 'fastify'
import {
  AppError,
  AuthError,
  safeEqual,
  type Config,
  type SignInRecord,
  type Store,
} from '../../core/index.ts'
import { describeError } from '../error-pages.ts'
import {
  addCalls,
  describeAuthorize,
  describeCallback,
  flowKey,
  type FlowRecord,
} from '../flow-record.ts'
import { createFlowRecorder, type FlowRecorder } from '../flow-recorder.ts'
import type { GraphFor } from '../graph-for.ts'
import { assertCsrfToken, sameOrigin } from '../plugins/csrf.ts'
import { methodNotAllowed } from '../plugins/pages.ts'
import { rateLimit } from '../plugins/rate-limit.ts'
import type { SessionUser } from '../plugins/session.ts'
import type { AuthPort } from '../ports.ts'
import { securityEvent } from '../security-event.ts'

export interface SignInRoutesOptions {
  config: Readonly<Config>
  store: Store
  auth: AuthPort
  graphFor: GraphFor
}

/** Kept one-time under `signin:<state>` from /connect to the callback. */
interface PendingSignIn {
  record: SignInRecord
  /** SHA-256 of the browser's sign-in cookie (OA-01: state bound to the browser that started the sign-in). */
  browser: string
  authorize?: FlowRecord['authorize']
}

const pendingTtlSeconds = 600 // 10 minutes to finish signing in
const maxPhotoBytes = 100_000
const browserId = /^[A-Za-z0-9_-]{43}$/
const hashOf = (value: string) => createHash('sha256').update(value).digest('base64url')

/** The routes' options and what they derive from them, resolved once. */
interface SignInSetup extends SignInRoutesOptions {
  redirectPath: string
  /** The random HttpOnly cookie that binds a sign-in to its browser (OA-01). */
  browserCookie: string
}

export async function signInRoutes(
  app: FastifyInstance,
  options: SignInRoutesOptions,
): Promise<void> {
  const setup: SignInSetup = {
    ...options,
    redirectPath: new URL(options.config.redirectUri).pathname,
    browserCookie: options.config.secureCookies ? '__Host-signin' : 'signin',
  }
  const checkOrigin = sameOrigin(options.config.publicUrl)
  app.get('/connect', connect(setup))
  app.get(setup.redirectPath, getToken(setup))
  app.post('/disconnect', { preHandler: checkOrigin }, disconnect(setup))
  app.get('/disconnect', methodNotAllowed)
}

/**
 * GET /connect: the authorize redirect. A sign-in is bound to the browser that started it by a random HttpOnly
 * cookie whose hash the sign-in record keeps, so /connect writes no pre-login session. A browser keeps its cookie
 * across sign-ins started within its lifetime (two tabs can sign in at once); the session is made (and any earlier
 * one rotated) at the callback.
 */
function connect(setup: SignInSetup): RouteHandlerMethod {
  const { config, store, auth } = setup
  const cookieOptions = {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: config.secureCookies,
    maxAge: pendingTtlSeconds,
  }
  return async function connect(request, reply) {
    const limit = await rateLimit(store, `signin:${request.ip}`, config.limits.signInsPerMinute)
    if (!limit.ok)
      throw new AppError('ERR_WEB_RATE_LIMITED', {
        message: `rate limit signin:${request.ip}`,
        retryAfterSeconds: limit.retryAfterSeconds,
      })
    const browser = browserOf(setup, request) ?? randomBytes(32).toString('base64url')
    const { url, record } = await auth.beginSignIn()
    const pending: PendingSignIn = {
      record,
      browser: hashOf(browser),
      authorize: config.flowInspector ? describeAuthorize(url) : undefined,
    }
    await store.set(`signin:${record.state}`, pending, pendingTtlSeconds)
    return reply
      .setCookie(setup.browserCookie, browser, cookieOptions)
      .header('cache-control', 'no-store')
      .redirect(url, 302)
  }
}

/** The reply URL: the pending sign-in taken, the code redeemed, the session rotated, the flow recorded. */
function getToken(setup: SignInSetup): RouteHandlerMethod {
  const { config } = setup
  return async function getToken(request, reply) {
    reply.header('referrer-policy', 'no-referrer').header('cache-control', 'no-store')
    const query = stringParams(request.query)
    const pending = await takePending(setup, request, query)
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

/** POST /disconnect: the session destroyed, its token cache forgotten, then the identity provider's sign-out. */
function disconnect(setup: SignInSetup): RouteHandlerMethod {
  return async function disconnect(request, reply) {
    const session = await request.session()
    const user = session.user
    if (!user) {
      await session.destroy()
      return reply.redirect('/', 303)
    }
    const body = request.body as Record<string, unknown> | undefined
    assertCsrfToken(session.data.csrf, body?._csrf)
    await session.destroy()
    await forgetUser(setup, user)
    securityEvent(request, 'signout', 'user signed out', { user: user.account.username })
    return reply.header('cache-control', 'no-store').redirect(setup.auth.logoutUrl(), 303)
  }
}

/** The browser's sign-in cookie when it has the shape this app gives it. */
function browserOf(setup: SignInSetup, request: FastifyRequest): string | undefined {
  const cookie = request.cookies[setup.browserCookie]
  return cookie && browserId.test(cookie) ? cookie : undefined
}

/** The pending sign-in of this state, if this browser started it: read, compared, then taken. */
async function takePending(
  setup: SignInSetup,
  request: FastifyRequest,
  query: Record<string, string>,
): Promise<PendingSignIn | undefined> {
  const { store } = setup
  const browser = browserOf(setup, request)
  // Taken only once bound: a callback from another browser does not use up this browser's sign-in.
  const bound = (pending: PendingSignIn | undefined) =>
    pending !== undefined &&
    typeof pending.browser === 'string' &&
    safeEqual(pending.browser, hashOf(browser!))
  let pending =
    query.state && browser ? await store.get<PendingSignIn>(`signin:${query.state}`) : undefined
  if (bound(pending)) pending = await store.take<PendingSignIn>(`signin:${query.state}`)
  if (pending && bound(pending)) return pending
  const reason = !query.state
    ? 'state missing'
    : !browser
      ? 'no sign-in cookie'
      : 'state unknown, used or foreign'
  securityEvent(request, 'signin.rejected', reason)
  return undefined
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
  user.hasPhoto = await keepPhoto(setup, request, user, recorder)
  return user
}

/** The photo is fetched once, at sign-in. No photo is fine. */
async function keepPhoto(
  setup: SignInSetup,
  request: FastifyRequest,
  user: SessionUser,
  recorder: FlowRecorder | undefined,
): Promise<boolean> {
  try {
    const photo = await setup.graphFor(user, recorder).getMyPhoto()
    if (
      !photo ||
      photo.bytes.byteLength > maxPhotoBytes ||
      !/^image\/(jpeg|png|gif|webp)$/.test(photo.contentType)
    )
      return false
    const record = {
      contentType: photo.contentType,
      data: Buffer.from(photo.bytes).toString('base64'),
    }
    await setup.store.set(`photo:${user.partition}`, record, setup.config.session.absoluteSeconds)
    return true
  } catch (error) {
    request.log.info(
      { event: 'photo.unavailable', code: (error as AuthError).code },
      'no profile photo',
    )
    return false
  }
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

async function forgetUser(setup: SignInSetup, user: SessionUser): Promise<void> {
  await setup.auth.forget(user.partition)
  await setup.store.delete(`photo:${user.partition}`)
  await setup.store.delete(flowKey(user.partition))
}

/** Query parameters as single strings (a repeated parameter keeps its first value). */
export function stringParams(query: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    const first = Array.isArray(value) ? value[0] : value
    if (typeof first === 'string') out[name] = first
  }
  return out
}
