/** welcomeMail: the sample's texts, short readable HTML, the plain-text twin, escaping. */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { escapeHtml, welcomeMail } from './welcome-mail.ts'

describe('welcomeMail', () => {
  test("has the sample's lines in English and French, with the name escaped", () => {
    const en = welcomeMail('Adele <script>alert(1)</script> & "Co"', 'en')
    // Greets whoever receives it (the user or someone else), and names the sender.
    assert.match(en.html, /^<p>Hello,<\/p>$/m)
    assert.match(
      en.html,
      /^<p>Adele &#60;script&#62;alert\(1\)&#60;\/script&#62; &#38; &#34;Co&#34; sent you this message with the Microsoft Graph Connect sample: /m,
    )
    assert.doesNotMatch(en.html, /<script>/)
    for (const line of [
      '<h3>What’s next?</h3>',
      '<h3>Give us feedback</h3>',
      '<p>Thanks and happy coding!<br>',
    ])
      assert.ok(en.html.split('\n').includes(line), line)
    const fr = welcomeMail('Adèle', 'fr')
    assert.match(fr.html, /^<p>Bonjour,<\/p>$/m)
    assert.match(
      fr.html,
      /^<p>Adèle vous envoie ce message avec l’exemple Microsoft Graph Connect\u202f: /m,
    )
    assert.match(fr.html, /<h3>Et maintenant\u202f\?<\/h3>/)
    assert.match(fr.html, /<h3>Donnez-nous votre avis<\/h3>/)
    assert.notEqual(fr.subject, en.subject)
  })

  test('the HTML is short and readable: one block a line, no document wrapper, no inline CSS', () => {
    for (const lang of ['en', 'fr'] as const) {
      const { html } = welcomeMail('Adele Vance', lang)
      assert.doesNotMatch(html, /<html|<head|<body|<meta|style=/i)
      assert.ok(
        html.split('\n').every((line) => line.length <= 160),
        `${lang}: no long line`,
      )
      assert.equal(
        html.match(/<(p|h3|ul|li)>/g)?.length,
        html.split('\n').filter((line) => /^\s*<(p|h3|ul|li)>/.test(line)).length,
      )
    }
  })

  test('the plain text matches the HTML, with the name as typed and the links spelled out', () => {
    const en = welcomeMail('Adele <Vance>', 'en')
    assert.equal(en.text.split('\n')[0], 'Hello,')
    assert.match(en.text.split('\n')[2]!, /^Adele <Vance> sent you this message/)
    assert.doesNotMatch(en.text, /<(p|h3|ul|li|a|br)\b/)
    assert.match(en.text, /^What’s next\?$/m)
    assert.match(
      en.text,
      /^- Read the Microsoft Graph overview: https:\/\/learn\.microsoft\.com\/graph\/overview$/m,
    )
    assert.match(en.text, /^Give us feedback$/m)
    assert.match(en.text, /^Thanks and happy coding!$/m)
    const fr = welcomeMail('Adèle', 'fr')
    assert.match(fr.text, /^Bonjour,$/m)
    assert.match(fr.text, /^- Lire la présentation de Microsoft Graph\u202f: https:/m)
    assert.match(fr.text, /^Merci et bon développement\u202f!$/m)
  })

  test('property: escapeHtml output never contains markup characters', () => {
    fc.assert(
      fc.property(
        fc.string(),
        (text) => !/[<>"']/.test(escapeHtml(text)) && !/&(?!#\d+;)/.test(escapeHtml(text)),
      ),
    )
    fc.assert(
      fc.property(
        fc.string(),
        (name) =>
          !welcomeMail(name, 'en').html.includes(`<p>${name} sent you`) || !/[<>&"']/.test(name),
      ),
    )
  })
})
