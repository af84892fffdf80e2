/** `describeError`, `sendFailureLines`: where errors become what the user reads (codes, AADSTS numbers, statuses). */
import { AppError, AuthError, GraphError, type ErrorCode } from '../core/index.ts'
import type { MessageKey, Translate } from './i18n/i18n.ts'

/** `choose`: try again, or sign in with another account (after a cancel or a refused consent). */
export type ErrorAction = 'retry' | 'choose' | 'signin' | 'reload' | 'home'

export interface ErrorView {
  status: number
  title: string
  lines: string[]
  action: ErrorAction
  /** Untrusted text from the identity provider, shown escaped. */
  detail?: string
  retryAfterSeconds?: number
  /** True when the server failed (logged at error level; a correlation id is shown). */
  unexpected?: boolean
  /** 'warning' for what the user chose (a cancelled sign-in), 'error' otherwise. */
  tone?: 'error' | 'warning'
}

/** A page's words (the `error.<name>.title` and `.text` messages) and what it offers to do. */
interface Message {
  title: MessageKey
  text: MessageKey
  action: ErrorAction
}

/** A page for a fact the catalogue does not hold (an IdP answer, a Fastify status): it brings its own status. */
interface Entry extends Message {
  status: number
}

const message = (name: string, action: ErrorAction): Message => ({
  title: `error.${name}.title` as MessageKey,
  text: `error.${name}.text` as MessageKey,
  action,
})
const page = (status: number, name: string, action: ErrorAction): Entry => ({
  status,
  ...message(name, action),
})

const byAadsts: Record<number, Entry> = {
  50011: page(400, 'redirectUri', 'home'),
  700016: page(400, 'unknownApp', 'home'),
  7000215: page(502, 'badSecret', 'home'),
  7000222: page(502, 'badSecret', 'home'),
  65001: page(400, 'consent', 'choose'),
  65004: page(400, 'cancelled', 'choose'),
  90094: page(400, 'consent', 'choose'),
}

const byIdpError: Record<string, Entry> = {
  access_denied: page(400, 'cancelled', 'choose'),
  consent_required: page(400, 'consent', 'choose'),
  interaction_required: page(400, 'consent', 'choose'),
  login_required: page(400, 'cancelled', 'choose'),
  unauthorized_client: page(400, 'unknownApp', 'home'),
  invalid_client: page(502, 'badSecret', 'home'),
}

/** The catalogue's codes: words only, the status is the error's own (core/errors.ts). */
const byCode: Partial<Record<ErrorCode, Message>> = {
  ERR_AUTH_STATE_INVALID: message('state', 'retry'),
  ERR_AUTH_ISSUER_MISMATCH: message('idToken', 'retry'),
  ERR_AUTH_ID_TOKEN_INVALID: message('idToken', 'retry'),
  ERR_AUTH_CODE_REJECTED: message('code', 'retry'),
  ERR_AUTH_CLIENT_REJECTED: message('badSecret', 'home'),
  ERR_AUTH_INTERACTION_REQUIRED: message('reauth', 'signin'),
  ERR_AUTH_UNAVAILABLE: message('authUnavailable', 'reload'),
  ERR_AUTH_METADATA: message('metadata', 'reload'),
  ERR_STORE_UNAVAILABLE: message('store', 'reload'),
  ERR_WEB_CSRF: message('csrf', 'reload'),
  ERR_WEB_RATE_LIMITED: message('rateLimited', 'home'),
  ERR_WEB_MALFORMED_BODY: message('badRequest', 'home'),
}

const byStatus: Record<number, Entry> = {
  404: page(404, 'notFound', 'home'),
  405: page(405, 'method', 'home'),
  413: page(413, 'tooLargeRequest', 'home'),
  429: page(429, 'rateLimited', 'home'),
}

/** Maps anything thrown to a page. Unknown errors become a generic 500 (the caller adds the correlation id). */
export function describeError(error: unknown, t: Translate, redirectUri = ''): ErrorView {
  if (error instanceof AuthError && (error.aadsts !== undefined || error.idpError)) {
    const entry =
      (error.aadsts !== undefined ? byAadsts[error.aadsts] : undefined) ??
      (error.code === 'ERR_AUTH_IDP_ERROR' &&
      error.idpError &&
      Object.hasOwn(byIdpError, error.idpError)
        ? byIdpError[error.idpError]
        : undefined)
    if (entry) return view(entry, t, { uri: redirectUri })
    if (error.code === 'ERR_AUTH_IDP_ERROR') {
      return {
        ...view(page(400, 'idp', 'retry'), t, { code: safeCode(error.idpError) }),
        detail: error.idpDescription
          ? t('error.detail', { detail: error.idpDescription.slice(0, 500) })
          : undefined,
      }
    }
  }
  if (error instanceof AppError) {
    const words = byCode[error.code]
    if (words) {
      const seconds = error.retryAfterSeconds
      return {
        ...view({ ...words, status: error.status }, t, { seconds: seconds ?? 60 }),
        retryAfterSeconds: seconds ?? (error.status === 503 ? 5 : undefined),
      }
    }
    if (error instanceof GraphError) return graphPage(error, t)
    if (error.status < 500) return view(page(error.status, 'badRequest', 'home'), t, {})
  }
  const status = statusOf(error)
  if (status && byStatus[status]) return { ...view(byStatus[status], t, { seconds: 60 }), status }
  if (status && status >= 400 && status < 500)
    return { ...view(page(400, 'badRequest', 'home'), t, {}), status }
  return { ...view(page(500, 'generic', 'reload'), t, {}), unexpected: true }
}

/** What a failed send says (shown in the banner above the form, which is kept as typed). */
export function sendFailureLines(
  error: unknown,
  t: Translate,
): { lines: string[]; unknown: boolean } {
  if (error instanceof GraphError) {
    const lines = [
      t(error.outcome === 'unknown' ? 'flash.unknown' : 'flash.failed'),
      graphText(error, t),
    ]
    if (error.requestId) lines.push(t('error.graphRequestId', { id: error.requestId }))
    return { lines, unknown: error.outcome === 'unknown' }
  }
  if (error instanceof AppError) {
    const described = describeError(error, t, '')
    return { lines: [t('flash.failed'), ...described.lines], unknown: false }
  }
  return { lines: [t('flash.failed'), t('error.generic.text')], unknown: false }
}

function graphText(error: GraphError, t: Translate): string {
  switch (error.code) {
    case 'ERR_GRAPH_FORBIDDEN':
      return t('error.forbidden.text')
    case 'ERR_GRAPH_THROTTLED':
      return t('error.throttled.text', { seconds: error.retryAfterSeconds ?? 60 })
    case 'ERR_GRAPH_INVALID_RECIPIENTS':
      return t('error.invalidRecipients.text')
    case 'ERR_GRAPH_TOO_LARGE':
      return t('error.tooLarge.text')
    case 'ERR_GRAPH_OUTCOME_UNKNOWN':
      return t('error.outcomeUnknown.text')
    case 'ERR_GRAPH_UNAVAILABLE':
      return error.outcome === 'unknown'
        ? t('error.outcomeUnknown.text')
        : t('error.graphUnavailable.text')
    case 'ERR_GRAPH_UNAUTHORIZED':
      return t('error.reauth.text')
    default:
      return error.outcome === 'unknown'
        ? t('error.outcomeUnknown.text')
        : t('error.graphRequest.text', {
            code: safeCode(error.graphCode ?? String(error.httpStatus)),
          })
  }
}

function graphPage(error: GraphError, t: Translate): ErrorView {
  const status =
    error.code === 'ERR_GRAPH_THROTTLED' ? 429 : error.status >= 500 ? 502 : error.status
  return {
    status,
    title: t('error.title'),
    lines: [graphText(error, t)],
    action: 'reload',
    retryAfterSeconds: error.retryAfterSeconds,
  }
}

function view(entry: Entry, t: Translate, params: Record<string, string | number>): ErrorView {
  const tone = entry.title === 'error.cancelled.title' ? 'warning' : 'error'
  return {
    status: entry.status,
    title: t(entry.title),
    lines: [t(entry.text, params)],
    action: entry.action,
    tone,
  }
}

/** IdP and Graph codes are shown only when they look like codes. */
function safeCode(code: string | undefined): string {
  return code && /^[\w.-]{1,64}$/.test(code) ? code : 'error'
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode
  return typeof status === 'number' ? status : undefined
}
