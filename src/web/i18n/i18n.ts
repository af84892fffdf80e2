/** Language choice (`?lang=` > cookie > Accept-Language > English) and message lookup with `{param}` substitution. */
import { en, type MessageKey } from './en.ts'
import { fr } from './fr.ts'

export const languages = ['en', 'fr'] as const
export type Lang = (typeof languages)[number]
export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string

const catalogues: Record<Lang, Record<MessageKey, string>> = { en, fr }

export function isLang(value: unknown): value is Lang {
  return value === 'en' || value === 'fr'
}

/** Picks the best supported language from an Accept-Language header (quality values honoured). */
export function langFromAcceptLanguage(header: string | undefined): Lang | undefined {
  if (!header) return undefined
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';')
      const quality = params.map((param) => param.trim()).find((param) => param.startsWith('q='))
      return {
        base: tag.trim().toLowerCase().split('-')[0],
        quality: quality ? Number(quality.slice(2)) : 1,
      }
    })
    .filter((entry) => entry.quality > 0 && !Number.isNaN(entry.quality))
    .sort((a, b) => b.quality - a.quality)
  return ranked.map((entry) => entry.base).find(isLang)
}

/** The message lookup of one language; a missing message falls back to English, then to its key. */
export function translator(lang: Lang): Translate {
  const catalogue = catalogues[lang]
  return (key, params) => {
    const text = catalogue[key] ?? en[key] ?? key
    if (!params) return text
    return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
      name in params ? String(params[name]) : whole,
    )
  }
}

/** One translator per language, made once. */
export const translators: Readonly<Record<Lang, Translate>> = Object.freeze({
  en: translator('en'),
  fr: translator('fr'),
})

export { en, fr, type MessageKey }
