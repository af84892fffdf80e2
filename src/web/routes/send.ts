/** `sendRoutes`: POST /send — read, validate, claim, deliver, report (Post/Redirect/Get); GET /send is a 405. */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify'
import multipart from '@fastify/multipart'
import {
  AppError,
  allowsLargeAttachments,
  isAppError,
  mailLimits,
  parseSendForm,
  sendParsedMail,
  type Config,
  type ParsedMail,
  type Store,
} from '../../core/index.ts'
import { sendFailureLines } from '../error-pages.ts'
import { fieldErrors } from '../field-errors.ts'
import { addCalls, flowKey, type FlowRecord } from '../flow-record.ts'
import { createFlowRecorder, type HttpCall } from '../flow-recorder.ts'
import type { FormTokens } from '../form-tokens.ts'
import type { GraphFor } from '../graph-for.ts'
import { assertCsrfToken, sameOrigin } from '../plugins/csrf.ts'
import { layoutInput, methodNotAllowed, viewUser } from '../plugins/pages.ts'
import { rateLimit } from '../plugins/rate-limit.ts'
import type { Flash, Session, SessionUser } from '../plugins/session.ts'
import type { AuthPort } from '../ports.ts'
import { formFields, readSendForm } from '../read-send-form.ts'
import { securityEvent } from '../security-event.ts'
import { welcomeMail, type WelcomeMail } from '../welcome-mail.ts'
import type { MainPage } from './main-page.ts'

export interface SendRoutesOptions {
  config: Readonly<Config>
  store: Store
  auth: Pick<AuthPort, 'forget'>
  graphFor: GraphFor
  formTokens: FormTokens
  mainPage: MainPage
}

/** The claim of one form token: the first submit sends, a double submit waits for its outcome (RE-03). */
interface Submission {
  state: 'pending' | 'done'
  flash?: Flash
}

/** The routes' options and what they derive from them, resolved once. */
interface SendSetup extends SendRoutesOptions {
  /** The scopes allow the draft path (Mail.ReadWrite): larger attachments are accepted. */
  largeAttachments: boolean
}

/** One signed-in submit, as far as it got: what the page needs to come back with the form as typed. */
interface Attempt {
  setup: SendSetup
  request: FastifyRequest
  reply: FastifyReply
  session: Session
  user: SessionUser
  /** The visible fields as typed (the welcome switched to the chosen format). */
  kept: Record<string, string>
  /** The line that asks to choose the attachments again, when there were some. */
  reattach: string[]
}

const submissionTtlSeconds = 3600

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
    if (!user) return signedOut(request, reply, session)
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
    if (!parsed.ok) return invalid(attempt, parsed.status, fieldErrors(parsed.problems, request.t))

    const limitKey = `send:${user.account.username || user.partition}`
    const limit = await rateLimit(store, limitKey, config.limits.sendsPerMinute)
    if (!limit.ok) return rateLimited(attempt, limitKey, limit.retryAfterSeconds)
    const claimKey = `submit:${session.key}:${nonce}`
    const pending: Submission = { state: 'pending' }
    if (!(await store.setIfAbsent(claimKey, pending, submissionTtlSeconds)))
      return sameResult(attempt, claimKey)
    return deliverAndReport(attempt, claimKey, parsed.message, parsed.recipients)
  }
}

/** The signed-in page again, with the form as typed. */
function formPage(
  attempt: Attempt,
  data: { flash: Flash; fieldErrors?: Record<string, string> },
): FastifyReply {
  const { setup, request, reply, session, user, kept } = attempt
  const input = {
    ...layoutInput(request, setup.config.flowInspector),
    user: viewUser(user),
    csrf: session.data.csrf,
    largeAttachments: setup.largeAttachments,
    form: kept,
    ...data,
  }
  return setup.mainPage.send(reply, input, setup.formTokens.issue(session.key ?? ''))
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
  const deadline = Date.now() + graph.retryBudgetMs + graph.timeoutMs + 2000
  while (Date.now() < deadline) {
    const submission = await setup.store.get<Submission>(key)
    if (submission?.state === 'done') return submission
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return undefined
}

/** Sends through Graph as the user, then tells the outcome: a flash after a redirect, or the form page (503). */
async function deliverAndReport(
  attempt: Attempt,
  claimKey: string,
  message: ParsedMail,
  recipients: string[],
) {
  const { setup, request, reply, session, user } = attempt
  const recorder = setup.config.flowInspector ? createFlowRecorder() : undefined
  const error = await sendParsedMail(setup.graphFor(user, recorder), message).then(
    () => undefined,
    (failure: unknown) => failure ?? new Error('send failed'),
  )
  if (isAppError(error) && error.code === 'ERR_AUTH_INTERACTION_REQUIRED') {
    await setup.store.delete(claimKey)
    return reauthenticate(attempt)
  }
  if (
    isAppError(error) &&
    (error.code === 'ERR_AUTH_UNAVAILABLE' || error.code === 'ERR_STORE_UNAVAILABLE')
  )
    return tryLater(attempt, claimKey, error)
  const flash = error === undefined ? sent(request, recipients) : failed(attempt, error)
  const done: Submission = { state: 'done', flash }
  await setup.store.set(claimKey, done, submissionTtlSeconds)
  if (recorder?.calls.length) await appendFlow(setup, user, recorder.calls)
  session.data.flash = flash
  session.changed()
  await session.save()
  return reply.redirect('/', 303)
}

/** No token, so nothing reached Graph: 503 "try later" with the form as typed; still signed in (RE-05, RE-07). */
async function tryLater(attempt: Attempt, claimKey: string, error: AppError) {
  const { setup, request, reply } = attempt
  const seconds = Math.max(1, Math.ceil(error.retryAfterSeconds ?? 5))
  const flash: Flash = {
    kind: 'error',
    lines: [...sendFailureLines(error, request.t).lines, ...attempt.reattach],
    form: attempt.kept,
  }
  request.log.warn({ event: 'mail.failed', code: error.code }, 'send failed: no token')
  const done: Submission = { state: 'done', flash }
  await setup.store.set(claimKey, done, submissionTtlSeconds).catch(() => undefined)
  reply.code(503).header('retry-after', String(seconds))
  return formPage(attempt, { flash })
}

/** invalid_grant: one redirect to sign in again, keeping the form; a second within 30 s shows a page (OA-09). */
async function reauthenticate(attempt: Attempt) {
  const { setup, request, reply, session, user } = attempt
  const key = session.key ?? ''
  session.data.user = undefined
  session.data.flash = {
    kind: 'warning',
    lines: [request.t('error.reauth.text'), request.t('flash.reattach')],
    form: attempt.kept,
  }
  session.changed()
  await session.save()
  await setup.auth.forget(user.partition)
  const first = await setup.store.setIfAbsent(`reauth:${key}`, 1, 30)
  return reply.redirect(first ? '/connect' : '/', 303)
}

/** Step 5 of the flow page: this send's Graph calls (and a token refresh, if one was made). */
async function appendFlow(setup: SendSetup, user: SessionUser, calls: readonly HttpCall[]) {
  const { config, store } = setup
  const key = flowKey(user.partition)
  const flow = (await store.get<FlowRecord>(key)) ?? { graph: [] }
  await store.set(key, addCalls(flow, calls, config.graphBaseUrl), config.session.absoluteSeconds)
}

/** Not signed in (any more): back to the Connect page with a word, nothing sent. */
async function signedOut(request: FastifyRequest, reply: FastifyReply, session: Session) {
  session.data.flash = { kind: 'warning', lines: [request.t('error.signedOut.text')] }
  session.changed()
  await session.save()
  return reply.redirect('/', 303)
}

function sent(request: FastifyRequest, recipients: string[]): Flash {
  request.log.info({ event: 'mail.sent', recipients: recipients.length }, 'mail sent')
  return { kind: 'success', lines: [request.t('flash.sent', { addresses: recipients.join(', ') })] }
}

function failed(attempt: Attempt, error: unknown): Flash {
  const { request } = attempt
  const failure = sendFailureLines(error, request.t)
  if (!isAppError(error)) request.log.error({ err: error }, 'send failed unexpectedly')
  else request.log.info({ event: 'mail.failed', code: error.code }, 'send failed')
  return {
    kind: failure.unknown ? 'warning' : 'error',
    lines: [...failure.lines, ...attempt.reattach],
    form: attempt.kept,
  }
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
