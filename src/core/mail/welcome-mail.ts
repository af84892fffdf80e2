/** The welcome mail of the Connect sample, in English and French, with the name HTML-escaped. */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`)
}

const texts = {
  en: {
    subject: 'Welcome to Microsoft Graph development with the Graph Connect sample',
    greeting: (name: string) => `Congratulations ${name},`,
    intro: 'This is a message from the Microsoft Graph Connect sample. You are well on your way to incorporating Microsoft 365 services in your apps.',
    next: 'What’s next?',
    links: [
      ['https://learn.microsoft.com/graph/overview', 'Read the Microsoft Graph overview'],
      ['https://learn.microsoft.com/graph/api/user-sendmail', 'See the sendMail API reference'],
      ['https://developer.microsoft.com/graph/graph-explorer', 'Try requests in Graph Explorer'],
    ],
    feedback: 'Give us feedback',
    feedbackText: 'Tell us what you think of this sample, and what you would like it to do next.',
    closing: 'Thanks, and happy coding!',
  },
  fr: {
    subject: 'Bienvenue dans le développement Microsoft Graph avec l’exemple Graph Connect',
    greeting: (name: string) => `Félicitations ${name},`,
    intro: 'Ce message vous est envoyé par l’exemple Microsoft Graph Connect. Vous êtes en bonne voie pour intégrer les services Microsoft 365 dans vos applications.',
    next: 'Et maintenant ?',
    links: [
      ['https://learn.microsoft.com/graph/overview', 'Lire la présentation de Microsoft Graph'],
      ['https://learn.microsoft.com/graph/api/user-sendmail', 'Consulter la référence de l’API sendMail'],
      ['https://developer.microsoft.com/graph/graph-explorer', 'Essayer des requêtes dans Graph Explorer'],
    ],
    feedback: 'Donnez-nous votre avis',
    feedbackText: 'Dites-nous ce que vous pensez de cet exemple et ce que vous aimeriez qu’il fasse ensuite.',
    closing: 'Merci, et bon développement !',
  },
} as const

/**
 * @example const { subject, body } = welcomeMail(user.name, 'fr') // body is HTML; the name is escaped
 */
export function welcomeMail(name: string, lang: 'en' | 'fr'): { subject: string; body: string } {
  const t = texts[lang]
  const links = t.links.map(([href, label]) => `<li><a href="${href}">${label}</a></li>`).join('')
  const body = [
    `<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body style="font-family:'Segoe UI',sans-serif">`,
    `<p>${escapeHtml(t.greeting(name))}</p>`,
    `<p>${t.intro}</p>`,
    `<h3>${t.next}</h3><ul>${links}</ul>`,
    `<h3>${t.feedback}</h3><p>${t.feedbackText}</p>`,
    `<p>${t.closing}<br>Graph Connect</p>`,
    '</body></html>',
  ].join('')
  return { subject: t.subject, body }
}
