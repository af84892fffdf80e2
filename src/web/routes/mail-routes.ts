/** The Connect page, the signed-in page with the send form, POST /send (CSRF, one-time form token, PRG), the photo. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AppError } from '../../core/errors.ts'
import { allowsLargeAttachments, parseSendForm } from '../../core/mail/parse-send-form.ts'
import { sendParsedMail } from '../../core/mail/send-parsed-mail.ts'
import { welcomeMail, type WelcomeMail } from '../welcome-mail.ts'
import { fieldErrors } from '../field-errors.ts'
import { assertCsrfToken, assertSameOrigin, HttpProblem, rateLimit } from '../guards.ts'
import { addCalls, withRecording, type FlowRecord } from '../flow.ts'
import { sendFailureLines } from '../error-pages.ts'
import { methodNotAllowed } from './auth-routes.ts'
import { readSendForm, formFields, sendFormParser, type SendForm } from '../send-form.ts'
import { securityEvent } from '../security-log.ts'
import type { Flash, Session, SessionUser } from '../session.ts'
import type { WebContext } from '../web-context.ts'

interface Submission {
  state: 'pending' | 'done'
  flash?: Flash
}

const submissionTtlSeconds = 3600

export function mailRoutes(app: FastifyInstance, context: WebContext): void {
  const { config, store } = context

  app.get('/', async function home(request, reply) {
    const session = await request.session()
    const user = session.key ? session.data.user : undefined
    const flash = session.key ? session.data.flash : undefined
    if (flash) {
      // One-time: shown once. A form kept for after a re-sign-in survives the Connect page.
      session.data.flash = !user && flash.form ? { ...flash, lines: [] } : undefined
      session.changed()
      await session.save()
    }
    const shown = flash?.lines.length ? flash : undefined
    if (!user) return context.page(request, reply, 'connect', { flash: shown }, session)
    const welcome = welcomeMail(user.name, request.lang)
    const form = flash?.form ?? {
      to: user.address,
      subject: welcome.subject,
      body: welcome.html,
      format: 'html',
      importance: 'normal',
      saveToSentItems: 'on',
    }
    // Without a flash the page is the steady one: kept rendered, keyed by all it shows (csrf is per session).
    const cacheKey = flash
      ? undefined
      : JSON.stringify([request.lang, session.data.csrf, user.name, user.address, user.hasPhoto])
    return renderMain(context, request, reply, session, user, { form, flash: shown }, cacheKey)
  })

  app.get('/me/photo', async function photo(request, reply) {
    const session = await request.session()
    const user = session.key ? session.data.user : undefined
    const photo = user?.hasPhoto
      ? await store.get<{ contentType: string; data: string }>(`photo:${user.partition}`)
      : undefined
    if (!photo) return reply.callNotFound()
    return reply
      .header('cache-control', 'private, no-store')
      .type(photo.contentType)
      .send(Buffer.from(photo.data, 'base64'))
  })

  // In a scope of its own with the multipart parser (see sendFormParser): the other routes do without its hooks.
  app.register(async function sendScope(scope) {
    await sendFormParser(scope)
    scope.post('/send', send)
  })

  async function send(request: FastifyRequest, reply: FastifyReply) {
    assertSameOrigin(request, config.publicUrl)
    const session = await request.session()
    const user = session.key ? session.data.user : undefined
    const form = await readSendForm(request)
    if (!user || !session.key) {
      session.data.flash = { kind: 'warning', lines: [request.t('error.signedOut.text')] }
      session.changed()
      await session.save()
      return reply.redirect('/', 303)
    }
    assertCsrfToken(session.data.csrf, form.fields._csrf)
    const nonce = context.formTokens.verify(session.key, form.fields._form)
    if (!nonce) throw new HttpProblem(403, 'form token invalid')
    const kept = welcomeInFormat(formFields(form.fields), welcomeMail(user.name, request.lang))
    const reattach = form.files.length > 0 || form.tooLarge ? [request.t('flash.reattach')] : []
    if (form.tooLarge) {
      const errors = { attachments: request.t('error.tooLargeRequest.text') }
      return renderMain(context, request, reply.code(413), session, user, {
        form: kept,
        fieldErrors: errors,
        flash: { kind: 'error', lines: [request.t('flash.fieldErrors'), ...reattach] },
      })
    }
    const parsed = parseSendForm(kept, form.files, {
      largeAttachments: allowsLargeAttachments(config.scopes),
    })
    if (!parsed.ok) {
      return renderMain(context, request, reply.code(parsed.status), session, user, {
        form: kept,
        fieldErrors: fieldErrors(parsed.problems, request.t),
        flash: { kind: 'error', lines: [request.t('flash.fieldErrors'), ...reattach] },
      })
    }
    try {
      await rateLimit(
        store,
        `send:${user.username || user.partition}`,
        config.limits.sendsPerMinute,
      )
    } catch (error) {
      if (!(error instanceof HttpProblem) || error.statusCode !== 429) throw error
      securityEvent(request, 'ratelimit.hit', error.message)
      const seconds = error.retryAfterSeconds ?? 60
      reply.code(429).header('retry-after', String(seconds))
      return renderMain(context, request, reply, session, user, {
        form: kept,
        flash: {
          kind: 'error',
          lines: [
            request.t('flash.failed'),
            request.t('error.rateLimited.text', { seconds }),
            ...reattach,
          ],
        },
      })
    }

    const claimKey = `submit:${session.key}:${nonce}`
    if (
      !(await store.setIfAbsent(
        claimKey,
        { state: 'pending' } satisfies Submission,
        submissionTtlSeconds,
      ))
    ) {
      // A double submit: wait for the first one's outcome and show the same result (RE-03).
      const done = await waitForSubmission(context, claimKey)
      session.data.flash = done?.flash ?? {
        kind: 'warning',
        lines: [request.t('flash.unknown'), request.t('error.outcomeUnknown.text')],
      }
      session.changed()
      await session.save()
      return reply.redirect('/', 303)
    }

    const recorded = await withRecording(config.flowInspector, () =>
      sendParsedMail(context.graphFor(user), parsed.message),
    )
    let flash: Flash
    if (recorded.error === undefined) {
      flash = {
        kind: 'success',
        lines: [request.t('flash.sent', { addresses: parsed.recipients.join(', ') })],
      }
      request.log.info({ event: 'mail.sent', recipients: parsed.recipients.length }, 'mail sent')
    } else if (
      recorded.error instanceof AppError &&
      recorded.error.code === 'ERR_AUTH_INTERACTION_REQUIRED'
    ) {
      await store.delete(claimKey)
      return reauthenticate(context, request, reply, session, user, kept)
    } else if (
      recorded.error instanceof AppError &&
      (recorded.error.code === 'ERR_AUTH_UNAVAILABLE' ||
        recorded.error.code === 'ERR_STORE_UNAVAILABLE')
    ) {
      // No token, so nothing reached Graph: 503 "try later" with the form as typed; still signed in (RE-05, RE-07).
      const seconds = Math.max(
        1,
        Math.ceil((recorded.error as { retryAfterSeconds?: number }).retryAfterSeconds ?? 5),
      )
      const failed: Flash = {
        kind: 'error',
        lines: [...sendFailureLines(recorded.error, request.t).lines, ...reattach],
        form: kept,
      }
      request.log.warn({ event: 'mail.failed', code: recorded.error.code }, 'send failed: no token')
      await store
        .set(claimKey, { state: 'done', flash: failed } satisfies Submission, submissionTtlSeconds)
        .catch(() => undefined)
      reply.code(503).header('retry-after', String(seconds))
      return renderMain(context, request, reply, session, user, { form: kept, flash: failed })
    } else {
      const failure = sendFailureLines(recorded.error, request.t)
      if (!(recorded.error instanceof AppError))
        request.log.error({ err: recorded.error }, 'send failed unexpectedly')
      else request.log.info({ event: 'mail.failed', code: recorded.error.code }, 'send failed')
      flash = {
        kind: failure.unknown ? 'warning' : 'error',
        lines: [...failure.lines, ...reattach],
        form: kept,
      }
    }
    await store.set(claimKey, { state: 'done', flash } satisfies Submission, submissionTtlSeconds)
    await appendFlow(context, user, recorded.calls)
    session.data.flash = flash
    session.changed()
    await session.save()
    return reply.redirect('/', 303)
  }

  app.get('/send', methodNotAllowed(context))
}

function renderMain(
  context: WebContext,
  request: FastifyRequest,
  reply: FastifyReply,
  session: Session,
  user: SessionUser,
  data: {
    form: Record<string, string>
    flash?: Flash
    fieldErrors?: Partial<Record<string, string>>
  },
  cacheKey?: string,
) {
  const formToken = context.formTokens.issue(session.key ?? '')
  const view = (token: string) => {
    const initials = user.name
      .split(/\s+/)
      .filter(Boolean)
      .slice(0, 2)
      .map((word) => word[0]?.toUpperCase())
      .join('')
    const welcome = welcomeMail(user.name, request.lang)
    return {
      ...data,
      formToken: token,
      initials,
      welcome,
      largeAttachments: allowsLargeAttachments(context.config.scopes),
      fieldErrors: data.fieldErrors ?? data.flash?.fieldErrors,
    }
  }
  if (cacheKey === undefined) return context.page(request, reply, 'main', view(formToken), session)
  const html = context.pages.get(cacheKey, formToken, (slot) =>
    context.pageHtml(request, 'main', view(slot), session),
  )
  return reply.type('text/html; charset=utf-8').send(html)
}

/** Without JavaScript, the pre-filled welcome stays HTML when the user picks Text: send the text version instead (and back). */
function welcomeInFormat(
  fields: Record<string, string>,
  welcome: WelcomeMail,
): Record<string, string> {
  const body = (fields.body ?? '').replace(/\r\n/g, '\n').trim()
  if (fields.format === 'text' && body === welcome.html) return { ...fields, body: welcome.text }
  if (fields.format !== 'text' && body === welcome.text) return { ...fields, body: welcome.html }
  return fields
}

/** invalid_grant: one redirect to sign in again, keeping the form; a second one within 30 s shows a page instead (OA-09). */
async function reauthenticate(
  context: WebContext,
  request: FastifyRequest,
  reply: FastifyReply,
  session: Session,
  user: SessionUser,
  kept: Record<string, string>,
) {
  const key = session.key ?? ''
  session.data.user = undefined
  session.data.flash = {
    kind: 'warning',
    lines: [request.t('error.reauth.text'), request.t('flash.reattach')],
    form: kept,
  }
  session.changed()
  await session.save()
  await context.auth.forget(user.partition)
  const first = await context.store.setIfAbsent(`reauth:${key}`, 1, 30)
  return reply.redirect(first ? '/connect' : '/', 303)
}

async function waitForSubmission(
  context: WebContext,
  key: string,
): Promise<Submission | undefined> {
  const deadline =
    Date.now() + context.config.graph.retryBudgetMs + context.config.graph.timeoutMs + 2000
  while (Date.now() < deadline) {
    const submission = await context.store.get<Submission>(key)
    if (submission?.state === 'done') return submission
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return undefined
}

async function appendFlow(
  context: WebContext,
  user: SessionUser,
  calls: Parameters<typeof addCalls>[1],
): Promise<void> {
  if (!context.config.flowInspector || !calls.length) return
  const key = `flow:${user.partition}`
  const flow = (await context.store.get<FlowRecord>(key)) ?? { graph: [] }
  await context.store.set(
    key,
    addCalls(flow, calls, context.config.graphBaseUrl),
    context.config.session.absoluteSeconds,
  )
}

export type { SendForm }
