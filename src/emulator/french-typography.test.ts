/**
 * French typography in every French word the emulator shows (sign-in pages and inbox viewer): a narrow no-break space
 * (U+202F) before : ; ! ? and inside « », never an ordinary or a no-break space there, and none missing.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { SafeHtml } from './html.ts'
import { fr as signInFr } from './identity/i18n/fr.ts'
import { fr as inboxFr } from './inbox/i18n/fr.ts'
import { consentWords } from './identity/permissions/consent-words.ts'
import { frenchSpacingFaults } from '../../test/kit/french-typography.ts'

/** Every text in a strings object: plain strings, and what its functions say given sample arguments. */
function texts(value: unknown, path: string): [string, string][] {
  if (typeof value === 'string') return [[path, value]]
  if (value instanceof SafeHtml) return [[path, value.value.replace(/<[^>]*>/g, '')]]
  if (typeof value === 'function') return texts(value('X', 'Y'), `${path}()`)
  if (Array.isArray(value)) return value.flatMap((item, index) => texts(item, `${path}[${index}]`))
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([key, item]) => texts(item, `${path}.${key}`))
  return []
}

test('the French strings put U+202F before : ; ! ? and inside « »', () => {
  const all = [
    ...texts(signInFr, 'identity/i18n/fr'),
    ...texts(inboxFr, 'inbox/i18n/fr'),
    ...texts(consentWords.fr, 'identity/permissions/consent-words.fr'),
  ]
  assert.ok(all.length > 140, `every string is read (${all.length})`)
  const problems = all.flatMap(([path, text]) =>
    frenchSpacingFaults(text).map((fault) => `${path}: ${fault}`),
  )
  assert.deepEqual(problems, [])
})

test('the check finds what it must', () => {
  assert.deepEqual(frenchSpacingFaults('Rester connecté ?'), ['" ?" needs U+202F before its sign'])
  assert.equal(
    frenchSpacingFaults('mot de passe\u00a0:').length,
    1,
    'a no-break space is not the narrow one',
  )
  assert.equal(frenchSpacingFaults('Souhaite:').length, 1, 'a missing space is a fault')
  assert.equal(frenchSpacingFaults('« mot »').length, 2)
  assert.deepEqual(
    frenchSpacingFaults('Rester connecté\u202f? «\u202fmot\u202f» from:, https://x, is:unread'),
    [],
  )
})
