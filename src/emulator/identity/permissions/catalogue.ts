/**
 * Microsoft Graph's permission catalogue (catalogue.json, derived by tools/derive-permissions.ts; source and licence in
 * catalogue.md): findPermission, permissionById, consentText and grantingPermissions, read once on first use.
 */
import { readFileSync } from 'node:fs'

export type Scheme = 'delegated' | 'application'
export type ConsentLang = 'en' | 'fr'

/** A permission of one scheme, by its canonical name. */
export interface Permission {
  name: string
  scheme: Scheme
  /** The permission's GUID (a manifest's requiredResourceAccess names it), where Microsoft publishes one. */
  id?: string
  /** Only an administrator can grant it (Entra's "admin consent required"). */
  admin: boolean
}

interface SchemeEntry {
  id?: string
  admin: boolean
  en?: [string, string]
  fr?: [string, string]
}
interface CatalogueFile {
  permissions: Record<string, Partial<Record<Scheme, SchemeEntry>>>
  grants: Record<string, [string[], string[]]>
}
interface Index {
  file: CatalogueFile
  /** Lower-case name → canonical name. */
  names: Map<string, string>
  /** `${scheme}|${lower-case id}` → canonical name. */
  ids: Map<string, string>
}

let index: Index | undefined

/** Parsed on first use (most emulator starts never need it before the first sign-in or Graph call). */
function load(): Index {
  if (index) return index
  const file = JSON.parse(
    readFileSync(new URL('./catalogue.json', import.meta.url), 'utf8'),
  ) as CatalogueFile
  const names = new Map<string, string>()
  const ids = new Map<string, string>()
  for (const [name, entry] of Object.entries(file.permissions)) {
    names.set(name.toLowerCase(), name)
    for (const scheme of ['delegated', 'application'] as const) {
      const id = entry[scheme]?.id
      if (id) ids.set(`${scheme}|${id.toLowerCase()}`, name)
    }
  }
  index = { file, names, ids }
  return index
}

/** The permission named (in any case) in that scheme, or undefined when Graph has no such permission. */
export function findPermission(name: string, scheme: Scheme): Permission | undefined {
  const { file, names } = load()
  const canonical = names.get(name.toLowerCase())
  const entry = canonical ? file.permissions[canonical]?.[scheme] : undefined
  if (!canonical || !entry) return undefined
  return { name: canonical, scheme, admin: entry.admin, ...(entry.id ? { id: entry.id } : {}) }
}

/** The permission with that GUID in that scheme. */
export function permissionById(id: string, scheme: Scheme): Permission | undefined {
  const name = load().ids.get(`${scheme}|${id.toLowerCase()}`)
  return name ? findPermission(name, scheme) : undefined
}

/** What the consent page shows for a delegated permission: Microsoft's texts, French falling back to English. */
export function consentText(
  name: string,
  lang: ConsentLang,
): { title: string; description: string } {
  const { file, names } = load()
  const entry = file.permissions[names.get(name.toLowerCase()) ?? '']?.delegated
  const [title, description] = entry?.[lang] ?? entry?.en ?? [name, '']
  return { title, description }
}

/**
 * The permissions that grant `method` on a catalogue path (lower case, `{id}` for every key, e.g.
 * `/me/messages/{id}`), in one scheme; undefined when the catalogue does not list the path.
 */
export function grantingPermissions(
  method: string,
  path: string,
  scheme: Scheme,
): readonly string[] | undefined {
  const entry = load().file.grants[`${method.toUpperCase()} ${path}`]
  return entry ? entry[scheme === 'delegated' ? 0 : 1] : undefined
}
