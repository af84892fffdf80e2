/** createAccessTokenMemo: a kept token is used only while the stored token cache is the entry it came from. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createAccessTokenMemo } from './access-token-memo.ts'

const entry = (version: string, body = 'body') => `v1.${version.padEnd(38, '-')}${body}`
const inAnHour = () => new Date(Date.now() + 3_600_000)
const token = (accessToken: string, homeAccountId = 'h1', expiresOn: Date | null = inAnHour()) => ({
  accessToken,
  homeAccountId,
  expiresOn,
})

test('a kept token is found while the stored entry is the one it came from, for its own account only', () => {
  const memo = createAccessTokenMemo()
  memo.keep('p1', token('AT-1'), entry('A'), memo.begin())
  assert.equal(memo.find('p1', 'h1', entry('A', 'other body, same IV and tag')), 'AT-1')
  assert.equal(memo.find('p1', 'h1', entry('A')), 'AT-1')
  assert.equal(memo.find('p1', 'h2', entry('A')), undefined, 'another account')
  assert.equal(memo.find('p1', 'h1', entry('A')), undefined, 'a miss drops the token')
})

test('a new entry in the store (a refresh, any instance) or no entry (a forget elsewhere) is a miss', () => {
  const memo = createAccessTokenMemo()
  memo.keep('p1', token('AT-1'), entry('A'), memo.begin())
  assert.equal(memo.find('p1', 'h1', entry('B')), undefined)
  memo.keep('p2', token('AT-2'), entry('A'), memo.begin())
  assert.equal(memo.find('p2', 'h1', undefined), undefined)
})

test('nothing is kept without an entry, within 5 minutes of expiry, or when a forget overlapped the acquisition', () => {
  const memo = createAccessTokenMemo()
  memo.keep('p1', token('AT-1'), undefined, memo.begin())
  memo.keep('p2', token('AT-2', 'h1', new Date(Date.now() + 4 * 60_000)), entry('A'), memo.begin())
  memo.keep('p3', token('AT-3', 'h1', null), entry('A'), memo.begin())
  const begun = memo.begin()
  memo.forget('elsewhere')
  memo.keep('p4', token('AT-4'), entry('A'), begun)
  for (const partition of ['p1', 'p2', 'p3', 'p4'])
    assert.equal(memo.find(partition, 'h1', entry('A')), undefined, partition)
})

test('drop and forget remove the token; the least recently used goes first beyond the limit', () => {
  const memo = createAccessTokenMemo(2)
  memo.keep('p1', token('AT-1'), entry('A'), memo.begin())
  memo.drop('p1')
  assert.equal(memo.find('p1', 'h1', entry('A')), undefined)
  memo.keep('p1', token('AT-1'), entry('A'), memo.begin())
  memo.forget('p1')
  assert.equal(memo.find('p1', 'h1', entry('A')), undefined)

  memo.keep('a', token('AT-a'), entry('A'), memo.begin())
  memo.keep('b', token('AT-b'), entry('A'), memo.begin())
  assert.equal(memo.find('a', 'h1', entry('A')), 'AT-a') // a is now the most recent
  memo.keep('c', token('AT-c'), entry('A'), memo.begin()) // b goes
  assert.equal(memo.find('b', 'h1', entry('A')), undefined)
  assert.equal(memo.find('a', 'h1', entry('A')), 'AT-a')
  assert.equal(memo.find('c', 'h1', entry('A')), 'AT-c')
})
