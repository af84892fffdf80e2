/**
 * French typography in the app's French texts, by the rule the emulator's pages follow
 * (src/emulator/french-typography.test.ts): a narrow no-break space (U+202F) before : ; ! ? and inside « ».
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fr } from './fr.ts'

const NNBSP = '\u202f'

/** The faults of one text: a space other than U+202F before : ; ! ? », after «; or none where one is due. */
function faults(text: string): string[] {
  const found: string[] = []
  // URLs (https://) and placeholders keep their colon: it is followed by no space.
  for (const match of text.matchAll(/(.)([;!?»]|:(?=\s|$))/gu))
    if (match[1] !== NNBSP) found.push(`"${match[0]}" needs U+202F before its sign`)
  for (const match of text.matchAll(/«(.)/gu))
    if (match[1] !== NNBSP) found.push(`"${match[0]}" needs U+202F after «`)
  return found
}

test('the app’s French texts put U+202F before : ; ! ? and inside « »', () => {
  const texts = Object.entries(fr)
  assert.ok(texts.length > 100, `every text is read (${texts.length})`)
  const problems = texts.flatMap(([key, text]) => faults(text).map((fault) => `${key}: ${fault}`))
  assert.deepEqual(problems, [])
})

test('the check finds what it must', () => {
  assert.equal(faults('Et maintenant ?').length, 1)
  assert.equal(faults('Référence\u00a0: {id}').length, 1, 'a no-break space is not the narrow one')
  assert.equal(faults('« nope »').length, 2)
  assert.deepEqual(faults('Bonjour\u202f! «\u202fnope\u202f» https://x'), [])
})
