/** The one error model of the app: `AppError` with a stable `ERR_<AREA>_<WHAT>` code, and three families. */

/** Every code the app raises, with the HTTP status the web side answers with and its default message. */
export const errorCatalogue = {
  ERR_CONFIG_INVALID: { status: 500, message: 'The configuration is invalid' },

  ERR_AUTH_STATE_INVALID: {
    status: 400,
    message: 'The sign-in response does not match a pending sign-in',
  },
  ERR_AUTH_ISSUER_MISMATCH: {
    status: 400,
    message: 'The sign-in response came from an unexpected issuer',
  },
  ERR_AUTH_IDP_ERROR: { status: 400, message: 'The identity provider refused the sign-in' },
  ERR_AUTH_ID_TOKEN_INVALID: { status: 400, message: 'The ID token failed validation' },
  ERR_AUTH_CODE_REJECTED: {
    status: 400,
    message: 'The authorization code was refused by the token endpoint',
  },
  ERR_AUTH_CLIENT_REJECTED: {
    status: 502,
    message: 'The identity provider refused the app credentials',
  },
  ERR_AUTH_INTERACTION_REQUIRED: {
    status: 401,
    message: 'The session can no longer get tokens; sign in again',
  },
  ERR_AUTH_UNAVAILABLE: {
    status: 503,
    message: 'The identity provider is unavailable; try again later',
  },
  ERR_AUTH_METADATA: { status: 502, message: 'The identity provider metadata could not be loaded' },

  ERR_GRAPH_FORBIDDEN: {
    status: 403,
    message: 'Microsoft Graph refused the operation (permission missing)',
  },
  ERR_GRAPH_UNAUTHORIZED: { status: 401, message: 'Microsoft Graph refused the access token' },
  ERR_GRAPH_THROTTLED: { status: 429, message: 'Microsoft Graph is throttling requests' },
  ERR_GRAPH_INVALID_RECIPIENTS: {
    status: 400,
    message: 'Microsoft Graph refused at least one recipient',
  },
  ERR_GRAPH_TOO_LARGE: { status: 413, message: 'The message is too large for Microsoft Graph' },
  ERR_GRAPH_NOT_FOUND: { status: 404, message: 'Microsoft Graph did not find the resource' },
  ERR_GRAPH_OUTCOME_UNKNOWN: { status: 504, message: 'The outcome of the request is unknown' },
  ERR_GRAPH_UNAVAILABLE: {
    status: 503,
    message: 'Microsoft Graph is unavailable; try again later',
  },
  ERR_GRAPH_REQUEST: { status: 502, message: 'Microsoft Graph refused the request' },

  ERR_MAIL_INVALID: { status: 400, message: 'The message is invalid' },
  ERR_STORE_UNAVAILABLE: { status: 503, message: 'The session store is unavailable' },

  ERR_MERGE_INVALID: { status: 400, message: 'The mail merge cannot start as given' },
  ERR_MERGE_NOT_FOUND: { status: 404, message: 'No mail merge has that name' },
  ERR_MERGE_BUSY: { status: 409, message: 'Another process is working on this merge journal' },
  ERR_MERGE_JOURNAL: { status: 503, message: 'The mail merge journal is unavailable' },

  ERR_WEB_CSRF: { status: 403, message: 'The request failed the cross-site request checks' },
  ERR_WEB_RATE_LIMITED: { status: 429, message: 'Too many requests in a short time' },
  ERR_WEB_MALFORMED_BODY: { status: 400, message: 'The request body could not be read' },
} as const satisfies Record<`ERR_${string}`, { status: number; message: string }>

export type ErrorCode = keyof typeof errorCatalogue
export type AuthErrorCode = Extract<ErrorCode, `ERR_AUTH_${string}`>
export type GraphErrorCode = Extract<ErrorCode, `ERR_GRAPH_${string}`>
export type WebErrorCode = Extract<ErrorCode, `ERR_WEB_${string}`>
export type MergeErrorCode = Extract<ErrorCode, `ERR_MERGE_${string}`>

export interface AppErrorOptions {
  cause?: unknown
  message?: string
  status?: number
  /** When trying again makes sense, in seconds (the HTTP Retry-After). */
  retryAfterSeconds?: number
}

/**
 * Base of every error the app raises on purpose. `switch (error.code)` narrows; `status` is the HTTP status to answer.
 * @example if (error instanceof AppError && error.code === 'ERR_STORE_UNAVAILABLE') reply.status(503)
 */
export class AppError extends Error {
  readonly code: ErrorCode
  readonly status: number
  readonly retryAfterSeconds: number | undefined

  constructor(code: ErrorCode, options: AppErrorOptions = {}) {
    super(options.message ?? errorCatalogue[code].message, { cause: options.cause })
    this.name = this.constructor.name
    this.code = code
    this.status = options.status ?? errorCatalogue[code].status
    this.retryAfterSeconds = options.retryAfterSeconds
  }
}

/** One configuration problem and how to fix it. */
export interface ConfigProblem {
  setting: string
  message: string
  fix: string
}

/** Every configuration problem found at start, listed at once. */
export class ConfigError extends AppError {
  declare readonly code: 'ERR_CONFIG_INVALID'
  readonly problems: readonly ConfigProblem[]

  constructor(problems: readonly ConfigProblem[]) {
    const lines = problems.map(
      (problem) => `- ${problem.setting}: ${problem.message} Fix: ${problem.fix}`,
    )
    super('ERR_CONFIG_INVALID', { message: `Invalid configuration:\n${lines.join('\n')}` })
    this.problems = problems
  }
}

export interface AuthErrorOptions extends AppErrorOptions {
  /** The identity provider's `error` (e.g. `access_denied`, `invalid_grant`). */
  idpError?: string
  /** The AADSTS number parsed from `error_description` (e.g. 50011), when there is one. */
  aadsts?: number
  /** The identity provider's `error_description` (untrusted text: escape before showing). */
  idpDescription?: string
}

/** Sign-in and token errors. `aadsts` lets the web side explain the fix (50011 → register the reply URL…). */
export class AuthError extends AppError {
  declare readonly code: AuthErrorCode
  readonly idpError: string | undefined
  readonly aadsts: number | undefined
  readonly idpDescription: string | undefined

  constructor(code: AuthErrorCode, options: AuthErrorOptions = {}) {
    super(code, options)
    this.idpError = options.idpError
    this.aadsts = options.aadsts
    this.idpDescription = options.idpDescription
  }
}

export interface GraphErrorOptions extends AppErrorOptions {
  /** Graph's HTTP status (0 when no response arrived). */
  httpStatus?: number
  graphCode?: string
  requestId?: string
  clientRequestId?: string
  /** 'unknown' when the request may have been processed (timeout, reset, 503/504 on a non-idempotent call). */
  outcome?: 'failed' | 'unknown'
}

/** A failed Microsoft Graph call; the message names `METHOD URL`. */
export class GraphError extends AppError {
  declare readonly code: GraphErrorCode
  readonly httpStatus: number
  readonly graphCode: string | undefined
  readonly requestId: string | undefined
  readonly clientRequestId: string | undefined
  readonly outcome: 'failed' | 'unknown'

  constructor(code: GraphErrorCode, options: GraphErrorOptions = {}) {
    super(code, options)
    this.httpStatus = options.httpStatus ?? 0
    this.graphCode = options.graphCode
    this.requestId = options.requestId
    this.clientRequestId = options.clientRequestId
    this.outcome = options.outcome ?? (code === 'ERR_GRAPH_OUTCOME_UNKNOWN' ? 'unknown' : 'failed')
  }
}

/** True for the errors the app raises on purpose (whatever their family). */
export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError
}

/** A mail merge refused or stopped: a bad job, an unknown name, a journal another process holds or cannot reach. */
export class MergeError extends AppError {
  declare readonly code: MergeErrorCode

  constructor(code: MergeErrorCode, options: AppErrorOptions = {}) {
    super(code, options)
  }
}
