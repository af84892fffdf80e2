/** createFormTokens: one token per view of the form, valid for its own session only. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createFormTokens } from './form-tokens.ts'

test('form tokens: each view gets its own, verified for its session only, never for a forged or altered one', () => {
  const tokens = createFormTokens('s'.repeat(40))
  const first = tokens.issue('session-a')
  const second = tokens.issue('session-a')
  assert.notEqual(first, second)
  assert.match(first, /^[\w-]{24}\.[\w-]{43}$/)
  assert.equal(tokens.verify('session-a', first), first.split('.')[0])
  assert.equal(tokens.verify('session-b', first), undefined)
  assert.equal(tokens.verify('session-a', `${first}x`), undefined)
  assert.equal(tokens.verify('session-a', `${first}.extra`), undefined)
  assert.equal(tokens.verify('session-a', `${'y'.repeat(24)}.zz`), undefined)
  assert.equal(tokens.verify('session-a', undefined), undefined)
  assert.equal(createFormTokens('t'.repeat(40)).verify('session-a', first), undefined)
})
