/** The catalogues: the same keys and parameters in en and fr; Accept-Language; parameters substituted. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { en, fr, langFromAcceptLanguage, translator } from './i18n.ts'

test('en and fr have exactly the same keys, none empty', () => {
  assert.deepEqual(Object.keys(fr).sort(), Object.keys(en).sort())
  for (const [key, text] of Object.entries(fr)) assert.ok(text.trim(), `fr ${key} is empty`)
})

test('en and fr use the same {parameters} in every message', () => {
  const params = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort()
  for (const key of Object.keys(en) as (keyof typeof en)[])
    assert.deepEqual(params(fr[key]), params(en[key]), key)
})

test('Accept-Language picks the best supported language by quality', () => {
  assert.equal(langFromAcceptLanguage('fr-FR,fr;q=0.9,en;q=0.8'), 'fr')
  assert.equal(langFromAcceptLanguage('de-DE,de;q=0.9,en;q=0.5,fr;q=0.7'), 'fr')
  assert.equal(langFromAcceptLanguage('de'), undefined)
  assert.equal(langFromAcceptLanguage(undefined), undefined)
  assert.equal(langFromAcceptLanguage('fr;q=0, en'), 'en')
})

test('messages take parameters; the sample texts are kept', () => {
  const t = translator('en')
  assert.equal(t('main.hi', { name: 'Adele' }), 'Hi, Adele!')
  assert.equal(
    t('flash.sent', { addresses: 'a@b.test' }),
    'Successfully sent an email to a@b.test!',
  )
  assert.equal(t('connect.lead'), 'Use the button below to connect to Microsoft 365.')
  assert.equal(translator('fr')('main.hi', { name: 'Léa' }), 'Bonjour Léa\u202f!')
})
