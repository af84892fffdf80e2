/** What a signed-in submit comes to: the form page again, a flash after delivery, or a new sign-in. */
import type { FastifyReply, FastifyRequest } from 'fastify'
import {
  findSent,
  GraphError,
  isAppError,
  mayFindSent,
  sendParsedMail,
  type AppError,
  type Config,
  type ParsedMail,
  type Store,
} from '../../core/index.ts'
import { sendFailureLines } from '../error-pages.ts'
import { addCalls, flowKey, type FlowRecord } from '../flow-record.ts'
import { createFlowRecorder, type FlowRecorder, type HttpCall } from '../flow-recorder.ts'
import type { FormTokens } from '../form-tokens.ts'
import type { GraphFor } from '../graph-for.ts'
import { layoutInput, viewUser } from '../plugins/pages.ts'
import type { Flash, Session, SessionUser } from '../plugins/session.ts'
import type { AuthPort } from '../ports.ts'
import type { MainPage } from './main-page.ts'

/** What the send route is given and derives, resolved once. */
export interface SendSetup {
  config: Readonly<Config>
  store: Store
  auth: Pick<AuthPort, 'forget'>
  graphFor: GraphFor
  formTokens: FormTokens
  mainPage: MainPage
  /** The scopes allow the draft path (Mail.ReadWrite): larger attachments are accepted. */
  largeAttachments: boolean
}

/** The claim of one form token: the first submit sends, a double submit waits for its outcome (RE-03). */
export interface Submission {
  state: 'pending' | 'done'
  flash?: Flash
}

/** One signed-in submit, as far as it got: what the page needs to come back with the form as typed. */
export interface Attempt {
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

export const submissionTtlSeconds = 3600

/** The signed-in page again, with the form as typed. */
export function formPage(
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

/**
 * Sends through Graph as the user, the message carrying `key` (the form's submission id), then tells the outcome: a
 * flash after a redirect, or the form page (503). An answer lost after the send may be settled by `confirmSent`.
 */
export async function deliverAndReport(
  attempt: Attempt,
  claimKey: string,
  key: string,
  message: ParsedMail,
  recipients: string[],
) {
  const { setup, request, reply, session, user } = attempt
  const recorder = setup.config.flowInspector ? createFlowRecorder() : undefined
  const error = await sendParsedMail(setup.graphFor(user, recorder), message, { key }).then(
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
  const flash =
    error === undefined
      ? sent(request, recipients)
      : (await confirmSent(attempt, key, message, error, recorder))
        ? sent(request, recipients, true)
        : failed(attempt, error)
  const done: Submission = { state: 'done', flash }
  await setup.store.set(claimKey, done, submissionTtlSeconds)
  if (recorder?.calls.length) await appendFlow(setup, user, recorder.calls)
  session.data.flash = flash
  session.changed()
  await session.save()
  return reply.redirect('/', 303)
}

/**
 * Graph's answer to the send was lost (RE-02): when the user's token may read mail and a copy is kept in Sent Items,
 * the key is looked up a few times within `SENT_CHECK_BUDGET_MS` (RE-04). True only for a sent copy found; a draft,
 * nothing, or a mailbox it cannot read leave the outcome unknown. Nothing is ever sent again here.
 */
async function confirmSent(
  attempt: Attempt,
  key: string,
  message: ParsedMail,
  error: unknown,
  recorder: FlowRecorder | undefined,
): Promise<boolean> {
  const { setup, request, user } = attempt
  const { checks, budgetMs } = setup.config.sentCheck
  if (!(error instanceof GraphError) || error.outcome !== 'unknown') return false
  if (!checks || !message.saveToSentItems || !mayFindSent(user.account.scopes)) return false
  const signal = AbortSignal.timeout(budgetMs)
  // Half the budget for the waits, which grow by one step per check (Exchange files the sent copy late); the
  // deadline cuts whatever remains.
  const steps = (checks * (checks - 1)) / 2
  const settleMs = steps ? Math.floor(budgetMs / 2 / steps) : 0
  const graph = setup.graphFor(user, recorder, { signal })
  const lookup = await findSent(graph, key, { checks, settleMs, signal })
  request.log.info({ event: 'mail.reconciled', found: lookup.found }, 'lost send answer checked')
  return lookup.found === 'sent'
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

/** `confirmed`: the answer was lost, and the sent copy was found afterwards. */
function sent(request: FastifyRequest, recipients: string[], confirmed = false): Flash {
  request.log.info(
    { event: 'mail.sent', recipients: recipients.length, ...(confirmed && { confirmed }) },
    'mail sent',
  )
  const lines = [request.t('flash.sent', { addresses: recipients.join(', ') })]
  if (confirmed) lines.push(request.t('flash.sentConfirmed'))
  return { kind: 'success', lines }
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
