/** `markdownToHtml`: a Markdown body as the HTML a message carries (GitHub-flavoured, by `marked`). */
import { marked } from 'marked'

export function markdownToHtml(markdown: string): string {
  return marked.parse(markdown, { async: false, gfm: true })
}
