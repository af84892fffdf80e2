/** The app's pino JSON logger, with secrets, tokens, codes and cookies redacted before anything is written. */
import { createRequire } from 'node:module'
import { pino, type DestinationStream, type Logger } from 'pino'
import type { Config } from './config.ts'

export type { Logger }

const CENSOR = '[redacted]'

/** Fields whose value is a secret wherever they sit in a log object, at any depth (matched by name, any case). */
export const secretFields = [
  'secret',
  'password',
  'token',
  'code',
  'code_verifier',
  'codeVerifier',
  'state',
  'nonce',
  'cookie',
  'set-cookie',
  'access_token',
  'refresh_token',
  'id_token',
  'client_secret',
  'client_assertion',
  'accessToken',
  'idToken',
  'refreshToken',
  'clientSecret',
  'sessionSecret',
  'authorization',
  'privateKey',
  'credential',
] as const

// A secret field in a JSON line and its value when it is a string, a number, a boolean or an array of strings.
// An object value is left in place: its own fields are matched in turn (credential → secret, privateKey).
const JSON_STRING = String.raw`"(?:[^"\\]|\\.)*"`
const LINE_SECRET_FIELD = new RegExp(
  String.raw`"(${secretFields.join('|')})":(?:${JSON_STRING}|\[(?:${JSON_STRING},?)*\]|-?\d[\d.eE+-]*|true|false|null)`,
  'gi',
)

const JWT = /\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g
const SENSITIVE_PARAMETER =
  /\b(code|state|nonce|code_verifier|client_secret|client_assertion|refresh_token|access_token|id_token|session_state|password)=[^&\s"']+/gi
const BEARER = /\bBearer\s+[\w.~+/-]+=*/gi

/** Masks anything that looks like a JWT, a bearer token or a sensitive query/form parameter inside a string. */
export function maskSecrets(text: string): string {
  return text
    .replace(JWT, CENSOR)
    .replace(BEARER, `Bearer ${CENSOR}`)
    .replace(SENSITIVE_PARAMETER, (_, name: string) => `${name}=${CENSOR}`)
}

// The same three patterns for a finished JSON line. No word boundary before them: inside JSON, a newline or tab
// before a token is written `\n`/`\t`, so the character before the token is a letter. Masking a little more is fine.
const LINE_JWT = /eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g
const LINE_BEARER = /Bearer(?:\s|\\[nrtbf])+[\w.~+/-]+=*/gi
const LINE_SENSITIVE_PARAMETER =
  /(code|state|nonce|code_verifier|client_secret|client_assertion|refresh_token|access_token|id_token|session_state|password)=[^&\s"']+/gi
const MAYBE_BEARER = /bearer/i

/**
 * Masks one serialized log line (JSON): secret-named fields' values, then every JWT, bearer token and `code=`-style
 * parameter anywhere in it, keys, values, the message and nested errors included. Cheap checks first: most lines
 * hold none of them.
 */
export function maskLine(line: string): string {
  let masked = line.replace(LINE_SECRET_FIELD, (_, name: string) => `"${name}":"${CENSOR}"`)
  if (masked.includes('eyJ')) masked = masked.replace(LINE_JWT, CENSOR)
  if (MAYBE_BEARER.test(masked)) masked = masked.replace(LINE_BEARER, `Bearer ${CENSOR}`)
  if (masked.includes('='))
    masked = masked.replace(LINE_SENSITIVE_PARAMETER, (_, name: string) => `${name}=${CENSOR}`)
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
 * A JSON logger at config.logLevel. Every line is masked once it is serialized (SE-10): the values of
 * secret-named fields at any depth, then JWTs, bearer tokens and `code=`-style parameters anywhere (message, URLs,
 * error messages) — a few passes over one string instead of a deep copy or a clone of every logged object.
 * @example const logger = createLogger(config); logger.info({ requestId }, 'sent')
 */
export function createLogger(
  config: Pick<Config, 'logLevel'>,
  destination?: DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    base: undefined,
    serializers: { err: pino.stdSerializers.err, req: requestSerializer, res: replySerializer },
    hooks: { streamWrite: maskLine },
  }
  if (destination) return pino(options, destination)
  if (process.stdout.isTTY) return pino(options, terminal())
  // stdout written asynchronously, in writes of 4 KB or more, and at least every 100 ms: one system call for many
  // lines under load, none waited for. logger.flush(done) calls back once every line so far is out, in order.
  const stdout = pino.destination({ dest: 1, sync: false, minLength: 4096 })
  setInterval(() => stdout.flush(), 100).unref()
  return pino(options, stdout)
}

/**
 * A person reading a terminal gets one readable, coloured line per event (pino-pretty, loaded only then); a service
 * manager, a pipe or a file gets the JSON lines. Both see the lines masked (the streamWrite hook runs first).
 */
function terminal(): DestinationStream {
  const pretty = createRequire(import.meta.url)('pino-pretty') as (
    options: object,
  ) => DestinationStream
  return pretty({
    destination: 1,
    sync: true,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'reqId,req,res,responseTime',
    messageFormat:
      '{msg}{if req.method} {req.method} {req.url} → {res.statusCode} ({responseTime} ms){end}',
  })
}
