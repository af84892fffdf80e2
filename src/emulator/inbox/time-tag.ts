/**
 * timeTag: a `<time datetime>` with a readable server-side text (in UTC, said so) that inbox.js rewrites in the
 * reader's language and time zone with Intl.DateTimeFormat.
 */
import { html, type SafeHtml } from '../html.ts'

/** `short`: the time when it is today, else the date (message lists); `long`: date and time (the reading pane). */
export type TimeFormat = 'short' | 'long'

export function timeTag(iso: string, lang: string, format: TimeFormat, now = new Date()): SafeHtml {
  return html`<time datetime="${iso}" data-format="${format}">${utcText(iso, lang, format, now)}</time>`
}

function utcText(iso: string, lang: string, format: TimeFormat, now: Date): string {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  const today = date.toISOString().slice(0, 10) === now.toISOString().slice(0, 10)
  if (format === 'short' && !today)
    return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeZone: 'UTC' }).format(date)
  const options: Intl.DateTimeFormatOptions =
    format === 'short'
      ? { timeStyle: 'short', timeZone: 'UTC' }
      : { dateStyle: 'full', timeStyle: 'short', timeZone: 'UTC' }
  return `${new Intl.DateTimeFormat(lang, options).format(date)} UTC`
}
