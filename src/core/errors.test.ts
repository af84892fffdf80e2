/** The error catalogue's invariants: ERR_<AREA>_<WHAT> codes, statuses, messages, and the subclasses' families. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  AppError,
  AuthError,
  ConfigError,
  errorCatalogue,
  GraphError,
  type ErrorCode,
} from './errors.ts'

test('every catalogue code is ERR_<AREA>_<WHAT>, unique, and has a sane status and message', () => {
  const codes = Object.keys(errorCatalogue) as ErrorCode[]
  assert.equal(new Set(codes).size, codes.length)
  for (const code of codes) {
    assert.match(code, /^ERR_(CONFIG|AUTH|GRAPH|MAIL|STORE|MERGE|WEB)_[A-Z_]+$/)
    const { status, message } = errorCatalogue[code]
    assert.ok(status >= 400 && status <= 599, `${code} status ${status}`)
    assert.ok(message.length > 10, code)
    const error = new AppError(code)
    assert.equal(error.code, code)
    assert.equal(error.status, status)
    assert.equal(error.message, message)
  }
})

test('the codes the web side relies on exist', () => {
  const needed = [
    'ERR_AUTH_STATE_INVALID',
    'ERR_AUTH_ISSUER_MISMATCH',
    'ERR_AUTH_IDP_ERROR',
    'ERR_AUTH_ID_TOKEN_INVALID',
    'ERR_AUTH_INTERACTION_REQUIRED',
    'ERR_AUTH_UNAVAILABLE',
    'ERR_GRAPH_FORBIDDEN',
    'ERR_GRAPH_THROTTLED',
    'ERR_GRAPH_INVALID_RECIPIENTS',
    'ERR_GRAPH_OUTCOME_UNKNOWN',
    'ERR_GRAPH_UNAVAILABLE',
    'ERR_GRAPH_REQUEST',
    'ERR_MAIL_INVALID',
    'ERR_STORE_UNAVAILABLE',
    'ERR_CONFIG_INVALID',
    'ERR_WEB_CSRF',
    'ERR_WEB_RATE_LIMITED',
    'ERR_WEB_MALFORMED_BODY',
  ]
  for (const code of needed) assert.ok(code in errorCatalogue, code)
})

test('subclasses keep their name, code family, cause and details', () => {
  const cause = new Error('root')
  const auth = new AuthError('ERR_AUTH_IDP_ERROR', {
    cause,
    idpError: 'invalid_request',
    aadsts: 50011,
  })
  assert.equal(auth.name, 'AuthError')
  assert.equal(auth.cause, cause)
  assert.equal(auth.aadsts, 50011)
  assert.ok(auth instanceof AppError)

  const graph = new GraphError('ERR_GRAPH_OUTCOME_UNKNOWN', { httpStatus: 504, requestId: 'r-1' })
  assert.equal(graph.outcome, 'unknown')
  assert.equal(graph.status, 504)
  assert.equal(new GraphError('ERR_GRAPH_THROTTLED', { retryAfterSeconds: 3 }).outcome, 'failed')

  const limited = new AppError('ERR_WEB_RATE_LIMITED', { retryAfterSeconds: 12 })
  assert.equal(limited.status, 429)
  assert.equal(limited.retryAfterSeconds, 12)
  assert.equal(new AppError('ERR_WEB_CSRF').status, 403)

  const config = new ConfigError([{ setting: 'CLIENT_ID', message: 'is missing.', fix: 'Set it.' }])
  assert.equal(config.code, 'ERR_CONFIG_INVALID')
  assert.match(config.message, /CLIENT_ID: is missing\. Fix: Set it\./)
})
