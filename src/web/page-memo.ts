/** `createPageMemo`: rendered pages kept by their complete input, with one slot for a per-view value. */
import { randomBytes } from 'node:crypto'

export interface PageMemo<Input> {
  /** The page rendered from `input`, with `value` in its slot: rendered once per distinct input. */
  page(input: Input, value: string): Buffer
}

/**
 * The steady signed-in page is the same for every view of a session but for its one-time form token: kept rendered
 * (as UTF-8 bytes, split around a slot for that token), a page view is a lookup and a copy instead of a render.
 * The key is the input itself (`JSON.stringify(input)`) and `render` gets nothing else, so the memo cannot answer
 * with a page that differs in anything it shows; `input` must be plain JSON data. A page whose slot is not found
 * exactly once is sent as rendered and not kept. Least recently used out first beyond `limit` pages.
 */
export function createPageMemo<Input>(
  render: (input: Input, slot: string) => string,
  limit: number,
): PageMemo<Input> {
  const slot = `slot${randomBytes(16).toString('hex')}` // survives HTML escaping unchanged
  const pages = new Map<string, readonly [Buffer, Buffer]>()
  return {
    page(input, value) {
      const key = JSON.stringify(input)
      let page = pages.get(key)
      if (page) {
        pages.delete(key) // most recently used last
      } else {
        const html = render(input, slot)
        const at = html.indexOf(slot)
        if (at < 0 || html.includes(slot, at + slot.length))
          return Buffer.from(html.replaceAll(slot, value))
        page = [Buffer.from(html.slice(0, at)), Buffer.from(html.slice(at + slot.length))]
        if (pages.size >= limit) pages.delete(pages.keys().next().value as string)
      }
      pages.set(key, page)
      return Buffer.concat([page[0], Buffer.from(value), page[1]])
    },
  }
}
