import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createPageCache } from './page-cache.ts'

test('a kept page is built once per key and gets each view its own value', () => {
  const cache = createPageCache(10)
  let builds = 0
  const build = (who: string) => (slot: string) => {
    builds++
    return `<p>${who}</p><input value="${slot}"><p>é ✕</p>`
  }
  assert.equal(
    cache.get('a', 'token-1', build('Adele')).toString(),
    '<p>Adele</p><input value="token-1"><p>é ✕</p>',
  )
  assert.equal(
    cache.get('a', 'token-2', build('Adele')).toString(),
    '<p>Adele</p><input value="token-2"><p>é ✕</p>',
  )
  assert.equal(
    cache.get('b', 'token-3', build('Megan')).toString(),
    '<p>Megan</p><input value="token-3"><p>é ✕</p>',
  )
  assert.equal(builds, 2)
})

test('the least recently used page goes first when the cache is full', () => {
  const cache = createPageCache(2)
  const built: string[] = []
  const build = (key: string) => (slot: string) => (built.push(key), `${key}:${slot}`)
  cache.get('a', '1', build('a'))
  cache.get('b', '1', build('b'))
  cache.get('a', '2', build('a')) // a is now the most recent
  cache.get('c', '1', build('c')) // evicts b
  cache.get('a', '3', build('a'))
  cache.get('b', '2', build('b'))
  assert.deepEqual(built, ['a', 'b', 'c', 'b'])
})

test('a page without its slot, or with it twice, is sent as built and not kept', () => {
  const cache = createPageCache(10)
  let builds = 0
  const twice = (slot: string) => (builds++, `${slot}|${slot}`)
  assert.equal(cache.get('x', 'v', twice).toString(), 'v|v')
  assert.equal(cache.get('x', 'w', twice).toString(), 'w|w')
  assert.equal(cache.get('y', 'v', () => (builds++, 'static')).toString(), 'static')
  assert.equal(builds, 3)
})
