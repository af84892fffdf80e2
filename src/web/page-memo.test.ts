/** createPageMemo: a page kept per complete input, its slot filled per view, least recently used out first. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createPageMemo } from './page-memo.ts'

interface Input {
  who: string
  lang?: string
}

test('a kept page is built once per input and gets each view its own value', () => {
  let builds = 0
  const memo = createPageMemo<Input>((input, slot) => {
    builds++
    return `<p>${input.who}</p><input value="${slot}"><p>é ✕</p>`
  }, 10)
  assert.equal(
    memo.page({ who: 'Adele' }, 'token-1').toString(),
    '<p>Adele</p><input value="token-1"><p>é ✕</p>',
  )
  assert.equal(
    memo.page({ who: 'Adele' }, 'token-2').toString(),
    '<p>Adele</p><input value="token-2"><p>é ✕</p>',
  )
  assert.equal(
    memo.page({ who: 'Megan' }, 'token-3').toString(),
    '<p>Megan</p><input value="token-3"><p>é ✕</p>',
  )
  assert.equal(builds, 2)
})

test('any difference in the input is another page: nothing the page shows can be missed', () => {
  const built: string[] = []
  const memo = createPageMemo<Input>((input, slot) => {
    built.push(JSON.stringify(input))
    return `${input.who}:${input.lang ?? '-'}:${slot}`
  }, 10)
  assert.equal(memo.page({ who: 'a' }, '1').toString(), 'a:-:1')
  assert.equal(memo.page({ who: 'a', lang: 'fr' }, '2').toString(), 'a:fr:2')
  assert.equal(memo.page({ who: 'a', lang: 'fr' }, '3').toString(), 'a:fr:3')
  assert.equal(built.length, 2)
})

test('the least recently used page goes first when the memo is full', () => {
  const built: string[] = []
  const memo = createPageMemo<Input>(
    (input, slot) => (built.push(input.who), `${input.who}:${slot}`),
    2,
  )
  memo.page({ who: 'a' }, '1')
  memo.page({ who: 'b' }, '1')
  memo.page({ who: 'a' }, '2') // a is now the most recent
  memo.page({ who: 'c' }, '1') // evicts b
  memo.page({ who: 'a' }, '3')
  memo.page({ who: 'b' }, '2')
  assert.deepEqual(built, ['a', 'b', 'c', 'b'])
})

test('a page without its slot, or with it twice, is sent as built and not kept', () => {
  let builds = 0
  const twice = createPageMemo<Input>((_input, slot) => (builds++, `${slot}|${slot}`), 10)
  assert.equal(twice.page({ who: 'x' }, 'v').toString(), 'v|v')
  assert.equal(twice.page({ who: 'x' }, 'w').toString(), 'w|w')
  const none = createPageMemo<Input>(() => (builds++, 'static'), 10)
  assert.equal(none.page({ who: 'y' }, 'v').toString(), 'static')
  assert.equal(builds, 3)
})
