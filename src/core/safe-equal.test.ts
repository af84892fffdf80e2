/** safeEqual: a timing-safe comparison that never throws, whatever the lengths or the alphabet. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { safeEqual } from './safe-equal.ts'

test('safeEqual: equal strings match; any other value, of any length or alphabet, does not (and never throws)', () => {
  assert.equal(safeEqual('abc', 'abc'), true)
  assert.equal(safeEqual('', ''), true)
  assert.equal(safeEqual('abc', 'abd'), false)
  assert.equal(safeEqual('abc', 'abcd'), false)
  assert.equal(safeEqual('abé', 'abc'), false, 'as long in characters, longer in bytes')
  assert.equal(safeEqual('é', 'é'), true)
})
