/** `createViews`: the Eta views of src/web/views/*.eta, auto-escaped, compiled once and rendered by name. */
import { readdirSync, readFileSync } from 'node:fs'
import { Eta } from 'eta'

const viewsDir = new URL('./views/', import.meta.url)

export type Render = (name: string, data: Record<string, unknown>) => string

export function createViews(): Render {
  const eta = new Eta({ autoEscape: true, cache: true, autoTrim: [false, 'nl'] })
  for (const file of readdirSync(viewsDir)) {
    if (!file.endsWith('.eta')) continue
    eta.loadTemplate(`@${file.slice(0, -4)}`, readFileSync(new URL(file, viewsDir), 'utf8'))
  }
  return (name, data) => eta.render(`@${name}`, data)
}
