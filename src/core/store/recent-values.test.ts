/** createRecentValues: least recently used out first within the byte budget, expiry honoured. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRecentValues } from './recent-values.ts'

test('recent values: least recently used out first within the byte budget, large values not kept, expired not served', () => {
  const value = 'v'.repeat(97)
  const entry = 2 * ('k00'.length + value.length) // 200 bytes by the UTF-16 bound
  const recent = createRecentValues(entry * 16) // room for 16; a value may take at most a sixteenth
  const key = (index: number) => `k${String(index).padStart(2, '0')}`
  for (let index = 0; index < 16; index++) recent.set(key(index), value, 1000)
  assert.equal(recent.get(key(0), 0), value) // k00 is now the most recently used
  recent.set(key(16), value, 1000)
  assert.equal(recent.get(key(1), 0), undefined, 'the least recently used one made room')
  for (const index of [0, 2, 15, 16]) assert.equal(recent.get(key(index), 0), value)
  recent.set('big', 'v'.repeat(98), 1000)
  assert.equal(
    recent.get('big', 0),
    undefined,
    'a value over a sixteenth of the budget is not kept',
  )
  assert.equal(recent.get(key(2), 999), value)
  assert.equal(recent.get(key(2), 1000), undefined, 'served until its expiry, not at it')
  assert.equal(recent.get(key(2), 0), undefined, 'and dropped once found expired')
  recent.delete(key(0))
  assert.equal(recent.get(key(0), 0), undefined)
  recent.clear()
  assert.equal(recent.get(key(16), 0), undefined)
})
