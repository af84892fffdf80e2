/** The app's pino JSON logger, with secrets, tokens, codes and cookies redacted before anything is written. */
import { pino, type DestinationStream, type Logger } from 'pino'
import type { Config } from './config.ts'

export type { Logger }

const CENSOR = '[redacted]'

/** Known places where secrets live in log objects (pino `redact` paths, wildcards one level deep). */
export const redactPaths = [
  'secret', 'password', 'token', 'code', 'code_verifier', 'codeVerifier', 'state', 'nonce', 'cookie',
  'access_token', 'refresh_token', 'id_token', 'client_secret', 'client_assertion', 'accessToken', 'idToken',
  'refreshToken', 'clientSecret', 'sessionSecret', 'authorization', 'Authorization',
  '*.secret', '*.password', '*.token', '*.code', '*.code_verifier', '*.codeVerifier', '*.state', '*.nonce',
  '*.cookie', '*.access_token', '*.refresh_token', '*.id_token', '*.client_secret', '*.client_assertion',
  '*.accessToken', '*.idToken', '*.refreshToken', '*.clientSecret', '*.sessionSecret',
  'req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', 'headers.authorization',
  'headers.cookie', 'headers["set-cookie"]', '*.headers.authorization', '*.headers.cookie', '*.headers["set-cookie"]',
  'credential.secret', 'credential.privateKey', 'config.credential', 'config.sessionSecret',
]

const JWT = /\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g
const SENSITIVE_PARAMETER = /\b(code|state|nonce|code_verifier|client_secret|client_assertion|refresh_token|access_token|id_token|session_state|password)=[^&\s"']+/gi
const BEARER = /\bBearer\s+[\w.~+/-]+=*/gi

/** Masks anything that looks like a JWT, a bearer token or a sensitive query/form parameter inside a string. */
export function maskSecrets(text: string): string {
  return text.replace(JWT, CENSOR).replace(BEARER, `Bearer ${CENSOR}`).replace(SENSITIVE_PARAMETER, (_, name: string) => `${name}=${CENSOR}`)
}

// The same three patterns for a finished JSON line. No word boundary before them: inside JSON, a newline or tab
// before a token is written `\n`/`\t`, so the character before the token is a letter. Masking a little more is fine.
const LINE_JWT = /eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g
const LINE_BEARER = /Bearer(?:\s|\\[nrtbf])+[\w.~+/-]+=*/gi
const LINE_SENSITIVE_PARAMETER = /(code|state|nonce|code_verifier|client_secret|client_assertion|refresh_token|access_token|id_token|session_state|password)=[^&\s"']+/gi
const MAYBE_BEARER = /bearer/i

/**
 * Masks one serialized log line (JSON): every JWT, bearer token and `code=`-style parameter anywhere in it, keys,
 * values, the message and nested errors included. Cheap checks first: most lines hold none of them.
 */
export function maskLine(line: string): string {
  let masked = line
  if (masked.includes('eyJ')) masked = masked.replace(LINE_JWT, CENSOR)
  if (MAYBE_BEARER.test(masked)) masked = masked.replace(LINE_BEARER, `Bearer ${CENSOR}`)
  if (masked.includes('=')) masked = masked.replace(LINE_SENSITIVE_PARAMETER, (_, name: string) => `${name}=${CENSOR}`)
  return masked
}

/** A request as one small object (never the raw Request: its socket and server are not log material). */
function requestSerializer(request: { method?: string; url?: string; ip?: string }) {
  return { method: request.method, url: request.url, remoteAddress: request.ip }
}

function replySerializer(reply: { statusCode?: number }) {
  return { statusCode: reply.statusCode }
}

/**
 * A JSON logger at config.logLevel. Known secret fields are censored by path (pino `redact`); then the finished
 * line — message, URLs and error messages included — is scanned for JWTs, bearer tokens and `code=`-style
 * parameters (SE-10), one pass over a string instead of a deep copy of every logged object.
 * @example const logger = createLogger(config); logger.info({ requestId }, 'sent')
 */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    base: undefined,
    redact: { paths: redactPaths, censor: CENSOR },
    serializers: { err: pino.stdSerializers.err, req: requestSerializer, res: replySerializer },
    hooks: { streamWrite: maskLine },
  }
  return destination ? pino(options, destination) : pino(options)
}
