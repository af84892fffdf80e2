/** `welcomeMail`: the Connect sample's pre-filled mail, in the user's language: short readable HTML and plain text. */
import { escapeHtml } from '../core/index.ts'
import { translators, type Lang } from './i18n/i18n.ts'

export { escapeHtml }

const links = [
  ['https://learn.microsoft.com/graph/overview', 'welcome.link.overview'],
  ['https://learn.microsoft.com/graph/api/user-sendmail', 'welcome.link.sendMail'],
  ['https://developer.microsoft.com/graph/graph-explorer', 'welcome.link.explorer'],
] as const

export interface WelcomeMail {
  subject: string
  /** HTML fragment, one block element a line, no inline CSS (Graph wraps it in its own document). */
  html: string
  /** The same mail as plain text. */
  text: string
}

/**
 * The pre-filled mail of the send form. Lines end with `\n` (a textarea gives its value back with `\n` too).
 * @example const { subject, html, text } = welcomeMail(name, 'fr') // the name is escaped in html, as typed in text
 */
export function welcomeMail(name: string, lang: Lang): WelcomeMail {
  const t = translators[lang]
  // Greets whoever receives it (the user, or whoever they send it to) and says who sent it.
  const greeting = t('welcome.greeting')
  const intro = t('welcome.intro', { name })
  const html = [
    `<p>${greeting}</p>`,
    `<p>${escapeHtml(intro)}</p>`,
    `<h3>${t('welcome.next')}</h3>`,
    '<ul>',
    ...links.map(([href, label]) => `  <li><a href="${href}">${t(label)}</a></li>`),
    '</ul>',
    `<h3>${t('welcome.feedback')}</h3>`,
    `<p>${t('welcome.feedbackText')}</p>`,
    `<p>${t('welcome.closing')}<br>`,
    `${t('welcome.signature')}</p>`,
  ].join('\n')
  const text = [
    greeting,
    '',
    intro,
    '',
    t('welcome.next'),
    ...links.map(([href, label]) => `- ${t(label)}${t('welcome.colon')} ${href}`),
    '',
    t('welcome.feedback'),
    t('welcome.feedbackText'),
    '',
    t('welcome.closing'),
    t('welcome.signature'),
  ].join('\n')
  return { subject: t('welcome.subject'), html, text }
}
