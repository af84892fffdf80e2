/** Sign-in and sign-out: GET /connect, GET /connect/get_token/ (the seed's reply URL), POST /disconnect. */
import { createHash, randomBytes } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AuthError } from '../../core/errors.ts'
import { assertCsrfToken, assertSameOrigin, rateLimit, safeEqual } from '../guards.ts'
import {
  addCalls,
  describeAuthorize,
  describeCallback,
  withRecording,
  type FlowRecord,
} from '../flow.ts'
import { describeError } from '../error-pages.ts'
import type { SignInRecordLike } from '../ports.ts'
import { securityEvent } from '../security-log.ts'
import type { SessionUser } from '../session.ts'
import type { WebContext } from '../web-context.ts'

interface PendingSignIn {
  record: SignInRecordLike
  /** SHA-256 of the browser's sign-in cookie (OA-01: state bound to the browser that started the sign-in). */
  browser: string
  authorize?: FlowRecord['authorize']
}

const pendingTtlSeconds = 600 // 10 minutes to finish signing in
const maxPhotoBytes = 100_000
const browserId = /^[A-Za-z0-9_-]{43}$/
const hashOf = (value: string) => createHash('sha256').update(value).digest('base64url')

export function authRoutes(app: FastifyInstance, context: WebContext): void {
  const { config, store, auth } = context
  const redirectPath = new URL(config.redirectUri).pathname
  // OA-01: a sign-in is bound to the browser that started it by a random HttpOnly cookie whose hash the sign-in record
  // keeps, so /connect writes no pre-login session. A browser keeps its cookie across sign-ins started within its
  // lifetime (two tabs can sign in at once). The session is made (and any earlier one rotated) at the callback.
  const browserCookie = config.secureCookies ? '__Host-signin' : 'signin'
  const browserCookieOptions = {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: config.secureCookies,
    maxAge: pendingTtlSeconds,
  }
  /** The browser's sign-in cookie when it has the shape this app gives it. */
  const browserOf = (request: FastifyRequest) => {
    const cookie = request.cookies[browserCookie]
    return cookie && browserId.test(cookie) ? cookie : undefined
  }

  app.get('/connect', async function connect(request, reply) {
    await rateLimit(store, `signin:${request.ip}`, config.limits.signInsPerMinute)
    const browser = browserOf(request) ?? randomBytes(32).toString('base64url')
    const { url, record } = await auth.beginSignIn()
    const pending: PendingSignIn = {
      record,
      browser: hashOf(browser),
      authorize: config.flowInspector ? describeAuthorize(url) : undefined,
    }
    await store.set(`signin:${record.state}`, pending, pendingTtlSeconds)
    return reply
      .setCookie(browserCookie, browser, browserCookieOptions)
      .header('cache-control', 'no-store')
      .redirect(url, 302)
  })

  app.get(redirectPath, async function getToken(request, reply) {
    reply.header('referrer-policy', 'no-referrer').header('cache-control', 'no-store')
    const query = stringParams(request.query)
    const browser = browserOf(request)
    // Read, compared, then taken: a callback from another browser does not use up this browser's sign-in.
    const bound = (pending: PendingSignIn | undefined) =>
      pending !== undefined &&
      typeof pending.browser === 'string' &&
      safeEqual(pending.browser, hashOf(browser!))
    let pending =
      query.state && browser ? await store.get<PendingSignIn>(`signin:${query.state}`) : undefined
    if (bound(pending)) pending = await store.take<PendingSignIn>(`signin:${query.state}`)
    if (!pending || !bound(pending)) {
      securityEvent(
        request,
        'signin.rejected',
        !query.state
          ? 'state missing'
          : !browser
            ? 'no sign-in cookie'
            : 'state unknown, used or foreign',
      )
      return context.errorPage(
        request,
        reply,
        describeError(new AuthError('ERR_AUTH_STATE_INVALID'), request.t, config.redirectUri),
      )
    }
    const session = await request.session()
    try {
      const partition = randomBytes(32).toString('base64url')
      const recorded = await withRecording(config.flowInspector, async () => {
        const account = await auth.completeSignIn(pending.record, query, partition)
        const user = { ...identityOf(account), partition, hasPhoto: false, account }
        user.hasPhoto = await keepPhoto(context, request, user)
        return user
      })
      if (recorded.error) throw recorded.error
      const user = recorded.result as SessionUser
      const previous = session.data.user
      await session.regenerate()
      session.data.user = user
      session.changed()
      await session.save()
      if (previous) await forgetUser(context, previous)
      if (config.flowInspector) {
        const flow = addCalls(
          {
            authorize: pending.authorize,
            callback: describeCallback(redirectPath, query),
            graph: [],
          },
          recorded.calls,
          config.graphBaseUrl,
        )
        await store.set(`flow:${partition}`, flow, config.session.absoluteSeconds)
      }
      securityEvent(request, 'signin.success', 'code redeemed, ID token valid', {
        user: user.username,
      })
      return reply.redirect('/', 303)
    } catch (error) {
      const view = describeError(error, request.t, config.redirectUri)
      if (view.unexpected) throw error
      securityEvent(request, 'signin.failed', (error as Error).message, {
        errorCode: (error as AuthError).code,
        aadsts: (error as AuthError).aadsts,
      })
      return context.errorPage(request, reply, view)
    }
  })

  app.post('/disconnect', async function disconnect(request, reply) {
    assertSameOrigin(request, config.publicUrl)
    const session = await request.session()
    const user = session.data.user
    if (!user) {
      await session.destroy()
      return reply.redirect('/', 303)
    }
    assertCsrfToken(session.data.csrf, (request.body as Record<string, unknown> | undefined)?._csrf)
    await session.destroy()
    await forgetUser(context, user)
    securityEvent(request, 'signout', 'user signed out', { user: user.username })
    return reply.header('cache-control', 'no-store').redirect(auth.logoutUrl(), 303)
  })

  app.get('/disconnect', methodNotAllowed(context))
}

export function methodNotAllowed(context: WebContext) {
  return async function methodNotAllowed(request: FastifyRequest, reply: FastifyReply) {
    reply.header('allow', 'POST')
    return context.errorPage(
      request,
      reply,
      describeError({ statusCode: 405 }, request.t, context.config.redirectUri),
    )
  }
}

async function forgetUser(context: WebContext, user: SessionUser): Promise<void> {
  await context.auth.forget(user.partition)
  await context.store.delete(`photo:${user.partition}`)
  await context.store.delete(`flow:${user.partition}`)
}

/** The photo is fetched once, at sign-in, so GET / needs no Graph call. No photo is fine. */
async function keepPhoto(
  context: WebContext,
  request: FastifyRequest,
  user: SessionUser,
): Promise<boolean> {
  try {
    const photo = await context.graphFor(user).getMyPhoto()
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
    await context.store.set(
      `photo:${user.partition}`,
      record,
      context.config.session.absoluteSeconds,
    )
    return true
  } catch (error) {
    request.log.info(
      { event: 'photo.unavailable', code: (error as AuthError).code },
      'no profile photo',
    )
    return false
  }
}

/** Name, sign-in name and mail address from whatever core's completeSignIn returned. */
export function identityOf(account: unknown): Pick<SessionUser, 'name' | 'username' | 'address'> {
  const value = (account ?? {}) as Record<string, unknown>
  const text = (...names: string[]) =>
    names.map((name) => value[name]).find((v): v is string => typeof v === 'string' && v.length > 0)
  const username =
    text('username', 'preferredUsername', 'preferred_username', 'userPrincipalName', 'upn') ?? ''
  return {
    name: text('name', 'displayName') ?? username,
    username,
    address: text('address', 'mail', 'email') ?? username,
  }
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
