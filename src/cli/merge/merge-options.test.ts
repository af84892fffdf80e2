/** The merge command line read: `parseRate`, `mergeLimits` (defaults, values, every problem), `senders`, `modeChoice`. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { EXCHANGE_LIMITS } from '../../core/index.ts'
import { mergeLimits, modeChoice, parseRate, senders } from './merge-options.ts'

test('parseRate reads <count>/<time> with ms, s, m, h or d; an omitted number is 1', () => {
  assert.deepEqual(parseRate('30/1m'), { count: 30, windowMs: 60_000 })
  assert.deepEqual(parseRate('30/m'), { count: 30, windowMs: 60_000 })
  assert.deepEqual(parseRate('1/10s'), { count: 1, windowMs: 10_000 })
  assert.deepEqual(parseRate(' 5 / 500 ms '), { count: 5, windowMs: 500 })
  assert.deepEqual(parseRate('2/1.5s'), { count: 2, windowMs: 1_500 })
  assert.deepEqual(parseRate('10000/24h'), { count: 10_000, windowMs: 86_400_000 })
  assert.deepEqual(parseRate('100/1d'), { count: 100, windowMs: 86_400_000 })
})

test('parseRate refuses what is not a positive count over a positive time', () => {
  for (const text of [
    '30',
    '30/1',
    '30/1w',
    '0/1m',
    '30/0s',
    '-1/1m',
    '1.5/1m',
    'abc',
    '',
    '30/1m/2',
  ])
    assert.equal(parseRate(text), undefined, text)
})

test('mergeLimits: Exchange Online’s limits by default, the options over them', () => {
  assert.deepEqual(mergeLimits({}), EXCHANGE_LIMITS)
  assert.deepEqual(mergeLimits({ concurrent: '2', sends: '1/10s', recipients: '500/1h' }), {
    concurrent: 2,
    sendsPerWindow: 1,
    sendWindowMs: 10_000,
    recipientsPerWindow: 500,
    recipientWindowMs: 3_600_000,
  })
  assert.equal(EXCHANGE_LIMITS.sendsPerWindow, 30, 'the defaults themselves are not changed')
})

test('mergeLimits lists every problem with the form expected', () => {
  assert.deepEqual(mergeLimits({ concurrent: '0', sends: '30', recipients: '1/1w' }), {
    problems: [
      '--concurrent must be a whole number from 1 to 64, got "0".',
      '--sends must be <count>/<time>, e.g. 30/1m; got "30".',
      '--recipients must be <count>/<time>, e.g. 10000/24h; got "1/1w".',
    ],
  })
  for (const concurrent of ['65', '2.5', 'four'])
    assert.ok('problems' in mergeLimits({ concurrent }), concurrent)
  assert.deepEqual(mergeLimits({ concurrent: '64' }), { ...EXCHANGE_LIMITS, concurrent: 64 })
})

test('senders: repeated or separated by commas or semicolons, trimmed, each once; none given → none', () => {
  assert.deepEqual(
    senders({
      from: ['adele@contoso.test, lea@contoso.test', 'megan@contoso.test;adele@contoso.test'],
    }),
    ['adele@contoso.test', 'lea@contoso.test', 'megan@contoso.test'],
  )
  assert.deepEqual(senders({ from: 'diego@contoso.test' }), ['diego@contoso.test'])
  assert.deepEqual(senders({ from: [' , '] }), [])
  assert.deepEqual(senders({}), [])
})

test('modeChoice: auto by default, draft or direct, anything else refused with the choices', () => {
  assert.equal(modeChoice({}), 'auto')
  assert.equal(modeChoice({ mode: 'direct' }), 'direct')
  assert.equal(modeChoice({ mode: 'draft' }), 'draft')
  assert.deepEqual(modeChoice({ mode: 'fast' }), {
    problem: '--mode must be auto, draft or direct, got "fast".',
  })
})
