/** `sendRoutes`: POST /send — read, validate, claim, deliver, report (Post/Redirect/Get); GET /send is a 405. */
import type { FastifyInstance, FastifyReply, RouteHandlerMethod } from 'fastify'
import multipart from '@fastify/multipart'
import { AppError, allowsLargeAttachments, mailLimits, parseSendForm } from '../../core/index.ts'
import { fieldErrors } from '../field-errors.ts'
import { assertCsrfToken, sameOrigin } from '../plugins/csrf.ts'
import { methodNotAllowed, viewUser } from '../plugins/pages.ts'
import { rateLimit } from '../plugins/rate-limit.ts'
import { formFields, readSendForm } from '../read-send-form.ts'
import { securityEvent } from '../security-event.ts'
import { SIGNED_OUT } from './home.ts'
import { welcomeMail, type WelcomeMail } from '../welcome-mail.ts'
import {
  deliverAndReport,
  formPage,
  submissionTtlSeconds,
  type Attempt,
  type SendSetup,
  type Submission,
} from './send-outcome.ts'

/** The send route's dependencies. */
export type SendRoutesOptions = Omit<SendSetup, 'largeAttachments'>

export async function sendRoutes(app: FastifyInstance, options: SendRoutesOptions): Promise<void> {
  const setup: SendSetup = {
    ...options,
    largeAttachments: allowsLargeAttachments(options.config.scopes),
  }
  // In this route's scope only: @fastify/multipart adds hooks to every request of its scope.
  await app.register(multipart, {
    limits: {
      fileSize: mailLimits.attachmentsBytes,
      files: mailLimits.attachments,
      fields: 20,
      fieldSize: mailLimits.bodyBytes + 1024,
      parts: 60,
    },
  })
  app.post('/send', { preHandler: sameOrigin(options.config.publicUrl) }, send(setup))
  app.get('/send', methodNotAllowed)
}

/** POST /send: read, validate, claim, deliver, report. */
function send(setup: SendSetup): RouteHandlerMethod {
  const { config, store, formTokens } = setup
  return async function send(request, reply) {
    const session = await request.session()
    const form = await readSendForm(request)
    const user = session.user
    if (!user) return signedOut(reply)
    assertCsrfToken(session.data.csrf, form.fields._csrf)
    const nonce = formTokens.verify(session.key ?? '', form.fields._form)
    if (!nonce)
      throw new AppError('ERR_WEB_CSRF', { message: 'CSRF check failed: form token invalid' })
    const welcome = welcomeMail(viewUser(user).name, request.lang)
    const attempt: Attempt = {
      setup,
      request,
      reply,
      session,
      user,
      kept: welcomeInFormat(formFields(form.fields), welcome),
      reattach: form.files.length > 0 || form.tooLarge ? [request.t('flash.reattach')] : [],
    }
    if (form.tooLarge)
      return invalid(attempt, 413, { attachments: request.t('error.tooLargeRequest.text') })
    const parsed = parseSendForm(attempt.kept, form.files, {
      largeAttachments: setup.largeAttachments,
    })
    if (!parsed.ok) {
      if (parsed.problems.some((problem) => problem.reason === 'needs-mail-readwrite'))
        request.log.warn(
          { event: 'config.hint' },
          'attachments over 3 MB refused: add Mail.ReadWrite to SCOPES and to the app registration to send them',
        )
      return invalid(attempt, parsed.status, fieldErrors(parsed.problems, request.t))
    }

    const limitKey = `send:${user.account.username || user.partition}`
    const limit = await rateLimit(store, limitKey, config.limits.sendsPerMinute)
    if (!limit.ok) return rateLimited(attempt, limitKey, limit.retryAfterSeconds)
    const claimKey = `submit:${session.key}:${nonce}`
    const pending: Submission = { state: 'pending' }
    if (!(await store.setIfAbsent(claimKey, pending, submissionTtlSeconds)))
      return sameResult(attempt, claimKey)
    return deliverAndReport(attempt, claimKey, nonce, parsed.message, parsed.recipients)
  }
}

function invalid(attempt: Attempt, status: number, errors: Record<string, string>) {
  attempt.reply.code(status)
  const lines = [attempt.request.t('flash.fieldErrors'), ...attempt.reattach]
  return formPage(attempt, { flash: { kind: 'error', lines }, fieldErrors: errors })
}

function rateLimited(attempt: Attempt, limitKey: string, seconds: number) {
  const { request, reply } = attempt
  securityEvent(request, 'ratelimit.hit', `rate limit ${limitKey}`)
  reply.code(429).header('retry-after', String(seconds))
  const lines = [
    request.t('flash.failed'),
    request.t('error.rateLimited.text', { seconds }),
    ...attempt.reattach,
  ]
  return formPage(attempt, { flash: { kind: 'error', lines } })
}

/** A double submit: the first one's outcome, once it is known (RE-03). */
async function sameResult(attempt: Attempt, claimKey: string) {
  const { setup, request, reply, session } = attempt
  const done = await waitForSubmission(setup, claimKey)
  session.data.flash = done?.flash ?? {
    kind: 'warning',
    lines: [request.t('flash.unknown'), request.t('error.outcomeUnknown.text')],
  }
  session.changed()
  await session.save()
  return reply.redirect('/', 303)
}

async function waitForSubmission(setup: SendSetup, key: string): Promise<Submission | undefined> {
  const { graph } = setup.config
  const deadline =
    Date.now() + graph.retryBudgetMs + graph.timeoutMs + setup.config.sentCheck.budgetMs + 2000
  while (Date.now() < deadline) {
    const submission = await setup.store.get<Submission>(key)
    if (submission?.state === 'done') return submission
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return undefined
}

/**
 * Not signed in (any more): back to the Connect page, nothing sent. The notice travels in the redirect: an anonymous
 * request writes nothing to the store (SE-20).
 */
function signedOut(reply: FastifyReply) {
  return reply.redirect(`/?notice=${SIGNED_OUT}`, 303)
}

/** Without JavaScript, the pre-filled welcome stays HTML when the user picks Text: send the text version (and back). */
function welcomeInFormat(
  fields: Record<string, string>,
  welcome: WelcomeMail,
): Record<string, string> {
  const body = (fields.body ?? '').replace(/\r\n/g, '\n').trim()
  if (fields.format === 'text' && body === welcome.html) return { ...fields, body: welcome.text }
  if (fields.format !== 'text' && body === welcome.text) return { ...fields, body: welcome.html }
  return fields
}
