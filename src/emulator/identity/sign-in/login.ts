/**
 * GET|POST /{tenant}/login: the sign-in steps (email, password, stay signed in, consent, account picker, device
 * confirmation). The posted `ctx` names a server-side flow; a step is accepted only when the flow is at that step.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../../context.ts'
import { stringParams } from '../checks/authorize-request.ts'
import { strings, type Lang } from '../i18n/index.ts'
import { aadsts } from '../oauth-error.ts'
import type { Flow, Step } from '../records.ts'
import { ALL_PRINCIPALS } from '../../state/directory.ts'
import { continueSignedIn, declined } from './continue-sign-in.ts'
import { loadFlow, saveFlow } from './flow-store.ts'
import { showPageError } from './page-error.ts'
import { renderStep, type StepExtras } from './render-step.ts'
import { readSession, signInSession } from './sso-session.ts'
import { startSignIn } from './start-sign-in.ts'

/** One posted step: the flow it continues, the form, and how to show a page. */
interface StepPost {
  context: EmulatorContext
  request: FastifyRequest
  reply: FastifyReply
  flow: Flow
  form: Record<string, string | undefined>
}

const STEPS: Record<Step, (post: StepPost) => FastifyReply> = {
  email: emailStep,
  password: passwordStep,
  kmsi: staySignedInStep,
  consent: consentStep,
  'admin-approval': adminApprovalStep,
  pick: pickStep,
  'device-confirm': deviceConfirmStep,
}

export async function loginRoutes(app: FastifyInstance, context: EmulatorContext): Promise<void> {
  const expired = (request: FastifyRequest, reply: FastifyReply) => {
    const lang = request.headers['accept-language']?.startsWith('fr') ? 'fr' : 'en'
    return showPageError(context, reply, aadsts.malformed(), lang)
  }

  // Re-shows the current step, e.g. in the other language.
  app.get<{ Querystring: Record<string, string> }>('/:tenant/login', (request, reply) => {
    const flow = loadFlow(context.identity, request.query.ctx)
    if (!flow) return expired(request, reply)
    if (request.query.lang === 'en' || request.query.lang === 'fr')
      flow.lang = request.query.lang as Lang
    saveFlow(context.identity, flow)
    return renderStep(context, request, reply, flow)
  })

  app.post('/:tenant/login', (request, reply) => {
    const form = stringParams(request.body)
    const flow = loadFlow(context.identity, form.ctx)
    if (!flow) return expired(request, reply)
    if (form.step !== flow.step) return renderStep(context, request, reply, flow)
    return STEPS[flow.step]({ context, request, reply, flow, form })
  })
}

/** The same step again, with an error. */
const again = (post: StepPost, extras: StepExtras, flow = post.flow) =>
  renderStep(post.context, post.request, post.reply, flow, extras)

/** Moves the flow to `step` (with `changes`) and shows it. */
function go(post: StepPost, step: Step, changes: Partial<Flow> = {}): FastifyReply {
  Object.assign(post.flow, changes, { step })
  saveFlow(post.context.identity, post.flow)
  return renderStep(post.context, post.request, post.reply, post.flow)
}

function emailStep(post: StepPost): FastifyReply {
  const s = strings[post.flow.lang]
  const name = (post.form.loginfmt ?? '').trim()
  if (!name) return again(post, { error: s.enterEmail })
  const user = post.context.directory.findUser(name)
  if (!user) return again(post, { error: s.noAccount }, { ...post.flow, loginHint: name })
  return go(post, 'password', { userId: user.id, loginHint: name })
}

function passwordStep(post: StepPost): FastifyReply {
  const { form, flow } = post
  const s = strings[flow.lang]
  if (form.back) return go(post, 'email', { userId: undefined })
  const user = post.context.directory.findUser(flow.userId ?? '')
  if (!user) return go(post, 'email')
  if (!form.passwd) return again(post, { error: s.emptyPassword })
  if (form.passwd !== user.password)
    return again(post, { error: s.wrongPassword, errorCode: aadsts.badCredentials().message })
  return go(post, 'kmsi', { authenticated: true })
}

function staySignedInStep(post: StepPost): FastifyReply {
  const { context, request, reply, flow } = post
  if (!flow.authenticated || !flow.userId) return go(post, 'email')
  signInSession(context, request, reply, flow.userId, post.form.kmsi === 'yes')
  return continueSignedIn(context, request, reply, flow)
}

/** Accept grants what the page listed: for the user, or (an administrator who ticked the box) for everyone. */
function consentStep(post: StepPost): FastifyReply {
  const { context, request, reply, flow } = post
  if (!flow.authenticated || !flow.userId) return go(post, 'email')
  if (post.form.consent !== 'accept') return declined(context, reply, flow)
  const admin = context.directory.findUser(flow.userId)?.isAdmin === true
  const grantee = admin && post.form.organization === 'on' ? ALL_PRINCIPALS : flow.userId
  context.directory.grantConsent(grantee, flow.clientId, flow.consent ?? [])
  return continueSignedIn(context, request, reply, {
    ...flow,
    prompt: undefined,
    consent: undefined,
  })
}

/** "Need admin approval": sign in with an administrator's account instead, or go back to the app without consent. */
function adminApprovalStep(post: StepPost): FastifyReply {
  const { context, reply, flow } = post
  if (post.form.admin === 'signin')
    return go(post, 'email', { userId: undefined, loginHint: undefined, authenticated: false })
  return declined(context, reply, flow)
}

function pickStep(post: StepPost): FastifyReply {
  const { context, request, reply, flow, form } = post
  const session = readSession(context.identity, request)
  if (form.account && session?.users.includes(form.account)) {
    const picked = { ...flow, userId: form.account, authenticated: true }
    return continueSignedIn(context, request, reply, picked)
  }
  return go(post, 'email', { userId: undefined, loginHint: undefined })
}

function deviceConfirmStep(post: StepPost): FastifyReply {
  const { context, request, reply, flow } = post
  if (post.form.device !== 'continue') return declined(context, reply, flow)
  flow.step = 'email'
  saveFlow(context.identity, flow)
  return startSignIn(context, request, reply, flow)
}
