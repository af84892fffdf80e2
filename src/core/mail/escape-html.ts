/** `escapeHtml`: the five HTML-special characters as numeric references, so a value can never become markup. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`)
}
