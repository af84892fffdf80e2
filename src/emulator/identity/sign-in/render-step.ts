/** renderStep: the page of a sign-in's current step (email, password, stay signed in, consent, picker, device). */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../../context.ts'
import type { User } from '../../state/directory.ts'
import { fill, strings } from '../i18n/index.ts'
import type { Flow } from '../records.ts'
import { consentText, findPermission } from '../permissions/catalogue.ts'
import { consentWords } from '../permissions/consent-words.ts'
import { adminApprovalPage } from './admin-approval-page.ts'
import {
  consentPage,
  deviceConfirmPage,
  emailPage,
  kmsiPage,
  passwordPage,
  pickPage,
  type PageFrame,
} from './pages.ts'
import { sendPage } from './send-page.ts'
import { readSession } from './sso-session.ts'

export interface StepExtras {
  error?: string
  errorCode?: string
  status?: number
}

export function frameFor(
  context: EmulatorContext,
  flow: Pick<Flow, 'lang' | 'id' | 'tenantSegment'>,
  withDemo = true,
): PageFrame {
  const s = strings[flow.lang]
  return {
    s,
    tenantName: context.directory.tenant.displayName,
    switchHref: `/${encodeURIComponent(flow.tenantSegment)}/login?ctx=${encodeURIComponent(flow.id)}&lang=${s.otherLanguage.code}`,
    demoUsers: withDemo ? context.directory.listUsers() : undefined,
  }
}

export function renderStep(
  context: EmulatorContext,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: Flow,
  extras: StepExtras = {},
): FastifyReply {
  return sendPage(reply, stepPage(context, request, flow, extras), extras.status ?? 200)
}

/** The HTML of the flow's current step; only the email and password steps list the demo accounts. */
function stepPage(
  context: EmulatorContext,
  request: FastifyRequest,
  flow: Flow,
  extras: StepExtras,
): string {
  const frame = frameFor(context, flow)
  const bare = { ...frame, demoUsers: undefined }
  const view = {
    action: `/${encodeURIComponent(flow.tenantSegment)}/login`,
    flow: flow.id,
    error: extras.error,
    loginHint: flow.loginHint,
  }
  const user = flow.userId ? context.directory.findUser(flow.userId) : undefined
  const appName = context.directory.findApp(flow.clientId)?.displayName ?? flow.clientId
  switch (flow.step) {
    case 'password':
      return passwordPage(frame, { ...view, user, errorCode: extras.errorCode })
    case 'kmsi':
      return kmsiPage(bare, { ...view, user })
    case 'consent':
      return consentPage(bare, { ...view, user, appName, ...consentList(flow, user) })
    case 'admin-approval':
      return adminApprovalPage(bare, { ...view, user, appName })
    case 'pick':
      return pickPage(bare, { ...view, accounts: signedInUsers(context, request) })
    case 'device-confirm': {
      const title = fill(frame.s.deviceConfirmTitle, { app: appName })
      return deviceConfirmPage(bare, view, title, frame.s.deviceConfirmText)
    }
    default:
      return emailPage(frame, view)
  }
}

/**
 * What the consent page lists: what the flow asks to grant but openid (User.Read signs the user in), in Microsoft's
 * words; for an administrator, which ones only an admin may grant and the checkbox to consent for everyone.
 */
function consentList(flow: Flow, user: User | undefined) {
  const words = consentWords[flow.lang]
  const admin = user?.isAdmin === true
  const permissions = (flow.consent ?? [])
    .filter((name) => name !== 'openid')
    .map((name) => ({
      ...consentText(name, flow.lang),
      ...(admin && findPermission(name, 'delegated')?.admin ? { note: words.adminOnly } : {}),
    }))
  return { permissions, ...(admin ? { organization: words.organization } : {}) }
}

/** The users of the browser's SSO session, most recent first. */
function signedInUsers(context: EmulatorContext, request: FastifyRequest): User[] {
  const session = readSession(context.identity, request)
  return (session?.users ?? [])
    .map((id) => context.directory.findUser(id))
    .filter((found): found is User => !!found)
}
