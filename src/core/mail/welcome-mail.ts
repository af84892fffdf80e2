/** The welcome mail of the Connect sample, in English and French: short readable HTML and a matching plain text. */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`)
}

const texts = {
  en: {
    subject: 'Welcome to Microsoft Graph development with the Graph Connect sample',
    greeting: (name: string) => `Congratulations ${name},`,
    intro:
      'This is a message from the Microsoft Graph Connect sample. You are well on your way to incorporating Microsoft 365 services in your apps.',
    next: 'What’s next?',
    links: [
      ['https://learn.microsoft.com/graph/overview', 'Read the Microsoft Graph overview'],
      ['https://learn.microsoft.com/graph/api/user-sendmail', 'See the sendMail API reference'],
      ['https://developer.microsoft.com/graph/graph-explorer', 'Try requests in Graph Explorer'],
    ],
    feedback: 'Give us feedback',
    feedbackText: 'Tell us what you think of this sample, and what you would like it to do next.',
    closing: 'Thanks and happy coding!',
    signature: 'Your Graph Connect sample',
    colon: ':',
  },
  fr: {
    subject: 'Bienvenue dans le développement Microsoft Graph avec l’exemple Graph Connect',
    greeting: (name: string) => `Félicitations ${name},`,
    intro:
      'Ce message vous est envoyé par l’exemple Microsoft Graph Connect. Vous êtes en bonne voie pour intégrer les services Microsoft 365 dans vos applications.',
    next: 'Et maintenant ?',
    links: [
      ['https://learn.microsoft.com/graph/overview', 'Lire la présentation de Microsoft Graph'],
      [
        'https://learn.microsoft.com/graph/api/user-sendmail',
        'Consulter la référence de l’API sendMail',
      ],
      [
        'https://developer.microsoft.com/graph/graph-explorer',
        'Essayer des requêtes dans Graph Explorer',
      ],
    ],
    feedback: 'Donnez-nous votre avis',
    feedbackText:
      'Dites-nous ce que vous pensez de cet exemple et ce que vous aimeriez qu’il fasse ensuite.',
    closing: 'Merci et bon développement !',
    signature: 'L’exemple Graph Connect',
    colon: ' :',
  },
} as const

export interface WelcomeMail {
  subject: string
  /** HTML fragment, one block element a line, no inline CSS (Graph wraps it in its own document). */
  html: string
  /** The same mail as plain text. */
  text: string
}

/**
 * The pre-filled mail of the send form. Lines end with `\n` (a textarea gives its value back with `\n` too).
 * @example const { subject, html, text } = welcomeMail(user.name, 'fr') // the name is escaped in html, as typed in text
 */
export function welcomeMail(name: string, lang: 'en' | 'fr'): WelcomeMail {
  const cacheKey = `${lang}:${name}`
  const cached = recent.get(cacheKey)
  if (cached) return cached
  const mail = Object.freeze(buildWelcomeMail(name, lang))
  if (recent.size >= recentLimit) recent.delete(recent.keys().next().value as string) // the oldest entry
  recent.set(cacheKey, mail)
  return mail
}

// Every page view of a signed-in user shows the same mail: built once per name and language, a bounded few kept.
const recentLimit = 1000
const recent = new Map<string, WelcomeMail>()

function buildWelcomeMail(name: string, lang: 'en' | 'fr'): WelcomeMail {
  const t = texts[lang]
  const html = [
    `<p>${escapeHtml(t.greeting(name))}</p>`,
    `<p>${t.intro}</p>`,
    `<h3>${t.next}</h3>`,
    '<ul>',
    ...t.links.map(([href, label]) => `  <li><a href="${href}">${label}</a></li>`),
    '</ul>',
    `<h3>${t.feedback}</h3>`,
    `<p>${t.feedbackText}</p>`,
    `<p>${t.closing}<br>`,
    `${t.signature}</p>`,
  ].join('\n')
  const text = [
    t.greeting(name),
    '',
    t.intro,
    '',
    t.next,
    ...t.links.map(([href, label]) => `- ${label}${t.colon} ${href}`),
    '',
    t.feedback,
    t.feedbackText,
    '',
    t.closing,
    t.signature,
  ].join('\n')
  return { subject: t.subject, html, text }
}
