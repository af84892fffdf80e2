/** Picks the language: explicit choice (ui_locales / switch), then Accept-Language, then English. */
import { en, type Strings } from './en.ts'
import { fr } from './fr.ts'

export type Lang = 'en' | 'fr'
export const strings: Record<Lang, Strings> = { en, fr }

export function pickLang(explicit: string | undefined, acceptLanguage: string | undefined): Lang {
  for (const candidate of [explicit, acceptLanguage]) {
    const first = candidate
      ?.split(/[\s,;]+/)
      .map((tag) => tag.slice(0, 2).toLowerCase())
      .find((tag) => tag === 'fr' || tag === 'en')
    if (first) return first as Lang
  }
  return 'en'
}

export const fill = (text: string, values: Record<string, string>) =>
  text.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? `{${name}}`)
