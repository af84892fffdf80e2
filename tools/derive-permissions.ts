/**
 * derivePermissions(dir) and the command that writes src/emulator/identity/permissions/catalogue.json: the part of
 * Microsoft Graph's permission catalogue (microsoftgraph/microsoft-graph-devx-content, folder permissions/) the emulator
 * needs — every permission's id, schemes and admin-consent flags, the consent texts in English and French, and which
 * permissions grant each method and path of the resources the emulator serves.
 *
 * Run: npm exec -- node tools/derive-permissions.ts [metadataDir=/work/shared/graph-metadata]
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export const CATALOGUE_FILE = new URL(
  '../src/emulator/identity/permissions/catalogue.json',
  import.meta.url,
)
export const DEFAULT_METADATA_DIR = '/work/shared/graph-metadata'
/** The snapshot the three input files come from (their README names it). */
export const SOURCE = {
  repository: 'microsoftgraph/microsoft-graph-devx-content',
  folder: 'permissions/',
  commit: '6cbd6bbd665a877560fdefbad74f3bdb5b57af88',
  files: [
    'permissions.json',
    'permissions-descriptions.json',
    'permissions-descriptions_fr-FR.json',
  ],
  licence: 'MIT (catalogue.LICENSE)',
  derivedBy: 'tools/derive-permissions.ts',
}
/** Paths of the resources the emulator serves (lower case, as the catalogue writes them). */
const SERVED =
  /^\/(?:users|(?:me|users\/\{id\})(?:\/(?:messages|mailfolders|sendmail|events|calendar|calendars|calendarview|calendargroups|contacts|contactfolders|mailboxsettings|photo|photos)(?:\/.*)?)?)$/

/**
 * Documented routes the path sets leave out, granted as an equivalent route the catalogue lists (for `/me` and
 * `/users/{id}` alike). Sources, Graph API reference (permissions tables): calendar-get, user-list-calendarview,
 * calendar-update — https://learn.microsoft.com/graph/api/calendar-get,
 * https://learn.microsoft.com/graph/api/user-list-calendarview, https://learn.microsoft.com/graph/api/calendar-update.
 */
const SAME_AS: Record<string, string> = {
  'GET /me/calendar': 'GET /me/calendars',
  'GET /me/calendars/{id}': 'GET /me/calendars',
  'PATCH /me/calendars/{id}': 'DELETE /me/calendars/{id}',
  'PATCH /me/calendar': 'DELETE /me/calendars/{id}',
  'GET /me/calendarview': 'GET /me/calendar/calendarview',
}

type SchemeKey = 'DelegatedWork' | 'DelegatedPersonal' | 'Application'
interface SourcePermission {
  schemes: Partial<
    Record<
      SchemeKey,
      {
        requiresAdminConsent: boolean
        userDisplayName?: string
        userDescription?: string
        adminDisplayName?: string
      }
    >
  >
  pathSets?: { schemeKeys: SchemeKey[]; methods: string[]; paths: Record<string, string> }[]
}
interface Description {
  value: string
  id: string
  isAdmin: boolean
  consentDisplayName: string | null
  consentDescription: string | null
  adminConsentDisplayName?: string | null
}
interface Descriptions {
  delegatedScopesList: Description[]
  applicationScopesList: Description[]
}

/** One scheme of a permission: its GUID (when published), whether it needs an admin, and (delegated) its texts. */
export interface SchemeEntry {
  id?: string
  admin: boolean
  /** [consent display name, consent description], as the user consent page shows them. */
  en?: [string, string]
  fr?: [string, string]
}
export interface PermissionEntry {
  delegated?: SchemeEntry
  application?: SchemeEntry
}
export interface Catalogue {
  source: typeof SOURCE
  permissions: Record<string, PermissionEntry>
  /** "METHOD /path" → [delegated permissions, application permissions] that grant it. */
  grants: Record<string, [string[], string[]]>
}

export function derivePermissions(dir: string): Catalogue {
  const read = <T>(file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as T
  const source = read<{ permissions: Record<string, SourcePermission> }>('permissions.json')
  const en = read<Descriptions>('permissions-descriptions.json')
  const fr = read<Descriptions>('permissions-descriptions_fr-FR.json')
  const permissions = collectPermissions(source.permissions, en, fr)
  return { source: SOURCE, permissions, grants: collectGrants(source.permissions, permissions) }
}

const clean = (text: string | null | undefined) => (text ?? '').replace(/\s+/g, ' ').trim()
const byValue = (list: Description[]) => new Map(list.map((item) => [item.value, item]))
const texts = (item: Description | undefined): [string, string] | undefined =>
  item?.consentDisplayName
    ? [clean(item.consentDisplayName), clean(item.consentDescription)]
    : undefined

/**
 * Every permission of either source, by its catalogue name (the first spelling wins where two differ only in case).
 * Admin consent: permissions.json's `requiresAdminConsent`, else the descriptions' `isAdmin`. Texts: the descriptions'
 * consent texts, else permissions.json's user texts (English); French only where Microsoft publishes it.
 */
function collectPermissions(
  source: Record<string, SourcePermission>,
  en: Descriptions,
  fr: Descriptions,
): Record<string, PermissionEntry> {
  const lists = {
    delegated: [byValue(en.delegatedScopesList), byValue(fr.delegatedScopesList)],
    application: [byValue(en.applicationScopesList), byValue(fr.applicationScopesList)],
  } as const
  const names = new Map<string, string>()
  for (const name of [
    ...Object.keys(source),
    ...en.delegatedScopesList.map((item) => item.value),
    ...en.applicationScopesList.map((item) => item.value),
  ])
    if (!names.has(name.toLowerCase())) names.set(name.toLowerCase(), name)
  const out: Record<string, PermissionEntry> = {}
  for (const name of [...names.values()].sort((a, b) => a.localeCompare(b, 'en'))) {
    const schemes = source[name]?.schemes ?? {}
    const entry: PermissionEntry = {}
    for (const kind of ['delegated', 'application'] as const) {
      const scheme = kind === 'delegated' ? schemes.DelegatedWork : schemes.Application
      const [english, french] = lists[kind].map((list) => list.get(name))
      if (!scheme && !english) continue
      const result: SchemeEntry = {
        ...(english?.id || french?.id ? { id: english?.id ?? french?.id } : {}),
        admin: scheme?.requiresAdminConsent ?? english!.isAdmin,
      }
      if (kind === 'delegated') {
        const fallback = scheme?.userDisplayName
          ? ([clean(scheme.userDisplayName), clean(scheme.userDescription)] as [string, string])
          : undefined
        const englishTexts = texts(english) ?? fallback
        if (englishTexts) result.en = englishTexts
        const frenchTexts = texts(french)
        if (frenchTexts) result.fr = frenchTexts
      }
      entry[kind] = result
    }
    if (entry.delegated || entry.application) out[name] = entry
  }
  return out
}

/**
 * For each method and served path, the work-account delegated and the application permissions whose path sets list it
 * (paths with Graph's `/.../` wildcard are left out), and — as Graph's API reference lists them as "higher privileged"
 * — the ReadWrite permission of every Read or ReadBasic one listed (Mail.Read → Mail.ReadWrite), where it exists.
 */
function collectGrants(
  source: Record<string, SourcePermission>,
  permissions: Record<string, PermissionEntry>,
): Catalogue['grants'] {
  const grants = new Map<string, [Set<string>, Set<string>]>()
  for (const [name, permission] of Object.entries(source)) {
    if (!permissions[name]) continue
    for (const set of permission.pathSets ?? []) {
      for (const [rawPath] of Object.entries(set.paths)) {
        const path = rawPath.toLowerCase()
        if (!SERVED.test(path) || path.includes('/.../')) continue
        for (const method of set.methods) {
          const key = `${method.toUpperCase()} ${path}`
          const entry = grants.get(key) ?? [new Set<string>(), new Set<string>()]
          grants.set(key, entry)
          if (set.schemeKeys.includes('DelegatedWork')) entry[0].add(name)
          if (set.schemeKeys.includes('Application')) entry[1].add(name)
        }
      }
    }
  }
  for (const [route, same] of Object.entries(SAME_AS)) {
    for (const owner of ['/me', '/users/{id}']) {
      const [key, from] = [route, same].map((text) => text.replace(' /me', ` ${owner}`))
      if (!grants.has(key!) && grants.has(from!)) grants.set(key!, grants.get(from!)!)
    }
  }
  const out: Catalogue['grants'] = {}
  for (const key of [...grants.keys()].sort()) {
    const [delegated, application] = grants.get(key)!
    out[key] = [
      withHigher(delegated, permissions, 'delegated'),
      withHigher(application, permissions, 'application'),
    ]
  }
  return out
}

function withHigher(
  names: Set<string>,
  permissions: Record<string, PermissionEntry>,
  kind: keyof PermissionEntry,
): string[] {
  const all = new Set(names)
  for (const name of names) {
    for (const higher of [
      name.replace(/\.ReadBasic(?=\.|$)/, '.Read'),
      name.replace(/\.Read(?:Basic)?(?=\.|$)/, '.ReadWrite'),
    ])
      if (higher !== name && permissions[higher]?.[kind]) all.add(higher)
  }
  return [...all].sort((a, b) => a.localeCompare(b, 'en'))
}

/** The committed layout: one permission or one grant per line, so that a new snapshot diffs line by line. */
export function formatCatalogue(catalogue: Catalogue): string {
  const lines = (record: Record<string, unknown>) =>
    Object.entries(record)
      .map(([key, value]) => `    ${JSON.stringify(key)}: ${JSON.stringify(value)}`)
      .join(',\n')
  return `{\n  "source": ${JSON.stringify(catalogue.source)},\n  "permissions": {\n${lines(
    catalogue.permissions,
  )}\n  },\n  "grants": {\n${lines(catalogue.grants)}\n  }\n}\n`
}

if (import.meta.main) {
  const dir = process.argv[2] ?? DEFAULT_METADATA_DIR
  const catalogue = derivePermissions(dir)
  writeFileSync(CATALOGUE_FILE, formatCatalogue(catalogue))
  const counts = `${Object.keys(catalogue.permissions).length} permissions, ${Object.keys(catalogue.grants).length} grants`
  process.stdout.write(`wrote ${CATALOGUE_FILE.pathname} (${counts})\n`)
}
