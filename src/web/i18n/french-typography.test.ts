/**
 * French typography in the app's French texts, by the rule the emulator's pages follow
 * (src/emulator/french-typography.test.ts): a narrow no-break space (U+202F) before : ; ! ? and inside « ».
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fr } from './fr.ts'
import { frenchSpacingFaults } from '../../../test/kit/french-typography.ts'

test('the app’s French texts put U+202F before : ; ! ? and inside « »', () => {
  const texts = Object.entries(fr)
  assert.ok(texts.length > 100, `every text is read (${texts.length})`)
  const problems = texts.flatMap(([key, text]) =>
    frenchSpacingFaults(text).map((fault) => `${key}: ${fault}`),
  )
  assert.deepEqual(problems, [])
})

test('the check finds what it must', () => {
  assert.equal(frenchSpacingFaults('Et maintenant ?').length, 1)
  assert.equal(
    frenchSpacingFaults('Référence\u00a0: {id}').length,
    1,
    'a no-break space is not the narrow one',
  )
  assert.equal(frenchSpacingFaults('« nope »').length, 2)
  assert.deepEqual(frenchSpacingFaults('Bonjour\u202f! «\u202fnope\u202f» https://x'), [])
})
