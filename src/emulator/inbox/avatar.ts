/**
 * avatar: a mailbox's picture in the viewer — the user's Graph profile photo (the very image the Connect app shows),
 * else the app's initials avatar (the same initials and colours as its .profile__photo--initials).
 */
import { html, type SafeHtml } from '../html.ts'

export function avatar(name: string, photoUrl: string | undefined): SafeHtml {
  if (photoUrl) return html`<img class="avatar" src="${photoUrl}" alt="" width="32" height="32">`
  return html`<span class="avatar initials" aria-hidden="true">${initials(name)}</span>`
}

/** As the Connect app writes them: the first letters of the first two words. */
export function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => word[0]?.toUpperCase())
    .join('')
}
