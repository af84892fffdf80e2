/**
 * `reportFailure`: a failed command's one line on stderr (what happened, then the fix) and its exit code (command.ts
 * EXIT) — from core's error codes, so the CLI and the web app read failures alike; `say`: any line on stderr.
 */
import { AppError, AuthError, GraphError } from '../core/index.ts'
import { EXIT } from './command.ts'

/** A line on stderr, prefixed as every message of the command line is. */
export function say(line: string): void {
  process.stderr.write(`graph-connect: ${line}\n`)
}

export interface FailureContext {
  /** The connection used, for "run graph-connect login --connection …". */
  connection: string
}

const loginCommand = (connection: string) =>
  `graph-connect login${connection === 'default' ? '' : ` --connection ${connection}`}`

/** Writes the line and answers the exit code. */
export function reportFailure(error: unknown, context: FailureContext): number {
  const { line, exit } = describe(error, context)
  say(line)
  if (process.env.GRAPH_CONNECT_DEBUG && error instanceof Error && error.stack)
    process.stderr.write(`${error.stack}\n`)
  return exit
}

function describe(error: unknown, context: FailureContext): { line: string; exit: number } {
  const login = loginCommand(context.connection)
  if (!(error instanceof AppError))
    return { line: (error as Error)?.message ?? String(error), exit: EXIT.failed }
  switch (error.code) {
    case 'ERR_AUTH_INTERACTION_REQUIRED':
      return {
        line: `${notSignedIn(error, context.connection)}: run ${login}.`,
        exit: EXIT.notSignedIn,
      }
    case 'ERR_GRAPH_UNAUTHORIZED':
      return {
        line: `Microsoft Graph refused the access token (HTTP 401): run ${login}.`,
        exit: EXIT.notSignedIn,
      }
    case 'ERR_GRAPH_THROTTLED':
      return {
        line: `Microsoft Graph is throttling this app or mailbox (HTTP 429); nothing was done. Try again${
          error.retryAfterSeconds !== undefined
            ? ` in ${Math.ceil(error.retryAfterSeconds)} s`
            : ' later'
        }.`,
        exit: EXIT.throttled,
      }
    case 'ERR_GRAPH_OUTCOME_UNKNOWN':
      return {
        line:
          `the outcome of the send is unknown (${graphWhat(error)}): the mail may have been sent. It was not retried, ` +
          'so that it is not sent twice; check Sent Items (graph-connect messages --folder sentitems) before sending again.',
        exit: EXIT.outcomeUnknown,
      }
    default:
      return { line: appErrorLine(error, context.connection), exit: EXIT.failed }
  }
}

function notSignedIn(error: AppError, connection: string): string {
  if (error.message.startsWith('Not signed in')) return error.message
  const aadsts = error instanceof AuthError && error.aadsts ? ` (AADSTS${error.aadsts})` : ''
  return `the sign-in of connection "${connection}" has expired or was revoked${aadsts}`
}

/** "HTTP 504 on POST …/sendMail", "POST …/send timed out": what happened, without the long URL. */
function graphWhat(error: AppError): string {
  const match = /^(\w+) (\S+) (.*)$/.exec(error.message)
  if (!match) return error.message
  const [, method, url, rest] = match as unknown as [string, string, string, string]
  const last = URL.canParse(url) ? new URL(url).pathname.split('/').pop() : url
  const status = error instanceof GraphError ? error.httpStatus : 0
  return status ? `HTTP ${status} on ${method} …/${last}` : `${method} …/${last} ${rest}`
}

function appErrorLine(error: AppError, connection: string): string {
  const ids =
    error instanceof GraphError && error.requestId ? ` (request-id ${error.requestId})` : ''
  switch (error.code) {
    case 'ERR_GRAPH_FORBIDDEN':
      return `Microsoft Graph refused: a permission is missing${ids} — ${error.message}. Fix: grant it to the app (Mail.Send to send, Mail.ReadWrite for drafts and large attachments, Mail.Read to read; rights on the mailbox for --from/--mailbox), then run ${loginCommand(connection)}.`
    case 'ERR_GRAPH_INVALID_RECIPIENTS':
      return `Microsoft Graph refused a recipient${ids}: ${error.message}. Nothing was sent; fix the address.`
    case 'ERR_GRAPH_TOO_LARGE':
      return `the message is larger than the mailbox accepts${ids} (35 MB by default; an admin can raise it to 150 MB). Nothing was sent.`
    case 'ERR_GRAPH_NOT_FOUND':
      return `not found${ids}: ${error.message}.`
    case 'ERR_AUTH_CLIENT_REJECTED':
      return `the identity provider refused the app: ${idpWords(error)}. Fix the client id, secret or certificate, then run graph-connect login again.`
    case 'ERR_AUTH_UNAVAILABLE':
      return `the identity provider does not answer: ${error.message}. Try again later.`
    case 'ERR_STORE_UNAVAILABLE':
      return `${error.message}. Fix: graph-connect logout --connection ${connection}, then ${loginCommand(connection)}.`
    default:
      return error.message
  }
}

/** The identity provider's own sentence (msal wraps it in "Error(s): … Description: …", with a trace and a \r). */
function idpWords(error: AppError): string {
  const text = (error instanceof AuthError && error.idpDescription) || error.message
  const described = text.includes('Description: ')
    ? text.slice(text.indexOf('Description: ') + 13)
    : text
  return described
    .split(/[\r\n]|\s+Trace ID:/)[0]!
    .trim()
    .replace(/\.+$/, '')
}
