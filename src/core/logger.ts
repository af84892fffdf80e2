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

function maskDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskSecrets(value)
  if (depth > 8 || value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((item) => maskDeep(item, depth + 1))
  if (value instanceof Error) return value
  const masked: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) masked[key] = maskDeep(item, depth + 1)
  return masked
}

/**
 * A JSON logger at config.logLevel. Known secret fields are censored by path; then every string, the message
 * included, is scanned for JWTs, bearer tokens and `code=`-style parameters.
 * @example const logger = createLogger(config); logger.info({ requestId }, 'sent')
 */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    base: undefined,
    redact: { paths: redactPaths, censor: CENSOR },
    formatters: { log: (object) => maskDeep(object) as Record<string, unknown> },
    serializers: { err: (error: Error) => maskDeep(pino.stdSerializers.err(error)) as Record<string, unknown> },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((arg) => (typeof arg === 'string' ? maskSecrets(arg) : arg)) as Parameters<typeof method>)
      },
    },
  }
  return destination ? pino(options, destination) : pino(options)
}
