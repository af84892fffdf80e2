/**
 * Rendered pages kept by key (least recently used out first), each with one slot for a per-view value — the
 * one-time form token — put in when the page is sent. The steady-state signed-in page is the same for every view
 * of a session but for that token: rendering it once, and keeping it as UTF-8 bytes, makes a page view a lookup.
 * The key must name everything the page shows (see its callers); a page whose slot is not found once is not kept.
 */
import { randomBytes } from 'node:crypto'

export interface PageCache {
  /** The page for `key` with `value` in its slot; `build(slot)` renders it when it is not kept yet. */
  get(key: string, value: string, build: (slot: string) => string): Buffer
}

export function createPageCache(limit: number): PageCache {
  const slot = `slot${randomBytes(16).toString('hex')}` // survives HTML escaping unchanged
  const pages = new Map<string, readonly [Buffer, Buffer]>()
  return {
    get(key, value, build) {
      let page = pages.get(key)
      if (page) {
        pages.delete(key) // most recently used last
      } else {
        const html = build(slot)
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
