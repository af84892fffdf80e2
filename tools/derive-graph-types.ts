/**
 * deriveGraphTypes(csdl, source) and renderGraphTypes(...): the compact subset of Microsoft Graph's v1.0 metadata that
 * the emulator's shapes are checked against, written to src/emulator/graph/metadata/graph-types.json.
 * Run: node tools/derive-graph-types.ts [path/to/v1.0-Prod.csdl]   (default: $GRAPH_METADATA_DIR or /work/shared/graph-metadata)
 */
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { format, resolveConfig } from 'prettier'
import type { GraphTypeEntry } from '../src/emulator/graph/metadata/graph-types.ts'

/** Where the CSDL comes from; written into the JSON so that every reader can trace it. */
export const SOURCE = {
  repository: 'microsoftgraph/msgraph-metadata',
  path: 'schemas/v1.0-Prod.csdl',
  commit: 'f54f11b60956ea7b185ca0447b2b80805836ec7b',
  date: '2026-08-20',
  licence: 'MIT, Copyright (c) 2018 Microsoft Graph (src/emulator/graph/metadata/LICENSE)',
}
export const OUTPUT = new URL('../src/emulator/graph/metadata/graph-types.json', import.meta.url)

/**
 * The types the emulator answers with, and the Outlook types near them (for docs/COVERAGE.md). Their base types are
 * flattened into them; the complex and enum types their properties use are added, transitively.
 */
export const ROOT_TYPES = [
  'user',
  'profilePhoto',
  'outlookUser',
  'outlookCategory',
  'message',
  'eventMessage',
  'eventMessageRequest',
  'eventMessageResponse',
  'mailFolder',
  'mailSearchFolder',
  'messageRule',
  'inferenceClassification',
  'inferenceClassificationOverride',
  'attachment',
  'fileAttachment',
  'itemAttachment',
  'referenceAttachment',
  'calendar',
  'calendarGroup',
  'calendarPermission',
  'event',
  'contact',
  'contactFolder',
  'uploadSession',
  'attachmentItem',
  'mailboxSettings',
  'singleValueLegacyExtendedProperty',
]

interface RawProperty {
  name: string
  type: string
  nullable: boolean
}
interface RawType {
  kind: 'entity' | 'complex'
  name: string
  base?: string
  abstract: boolean
  open: boolean
  stream: boolean
  properties: RawProperty[]
  navigation: RawProperty[]
}
interface RawOperation {
  kind: 'action' | 'function'
  name: string
  binding: string
}
interface Csdl {
  types: Map<string, RawType>
  enums: Map<string, { flags: boolean; members: string[] }>
  operations: RawOperation[]
}

const TAG =
  /<(\/?)(Schema|EntityType|ComplexType|EnumType|Member|Property|NavigationProperty|Action|Function|Parameter)\b([^>]*?)(\/?)>/g

function attributes(text: string): Record<string, string> {
  const found: Record<string, string> = {}
  for (const [, name, value] of text.matchAll(/(\w+)="([^"]*)"/g)) found[name!] = value!
  return found
}

/** Reads the CSDL's type, enum and bound-operation declarations; names in microsoft.graph lose their namespace. */
export function parseCsdl(csdl: string): Csdl {
  const parsed: Csdl = { types: new Map(), enums: new Map(), operations: [] }
  let schema = { namespace: '', alias: '' }
  let type: RawType | undefined
  let enumType: { flags: boolean; members: string[] } | undefined
  let operation: RawOperation | undefined
  for (const [, closing, tag, attrText, selfClosing] of csdl.matchAll(TAG)) {
    const attrs = attributes(attrText!)
    const open = !closing
    const ends = Boolean(closing) || Boolean(selfClosing)
    const local = (name: string) => qualify(name, schema)
    if (tag === 'Schema' && open) schema = { namespace: attrs.Namespace!, alias: attrs.Alias ?? '' }
    else if ((tag === 'EntityType' || tag === 'ComplexType') && open) {
      type = {
        kind: tag === 'EntityType' ? 'entity' : 'complex',
        name: local(attrs.Name!),
        base: attrs.BaseType ? local(attrs.BaseType) : undefined,
        abstract: attrs.Abstract === 'true',
        open: attrs.OpenType === 'true',
        stream: attrs.HasStream === 'true',
        properties: [],
        navigation: [],
      }
      parsed.types.set(type.name, type)
    } else if (tag === 'EnumType' && open) {
      enumType = { flags: attrs.IsFlags === 'true', members: [] }
      parsed.enums.set(local(attrs.Name!), enumType)
    } else if (tag === 'Member' && open && enumType) enumType.members.push(attrs.Name!)
    else if ((tag === 'Property' || tag === 'NavigationProperty') && open && type) {
      const property = {
        name: attrs.Name!,
        type: local(attrs.Type!),
        nullable: attrs.Nullable !== 'false',
      }
      ;(tag === 'Property' ? type.properties : type.navigation).push(property)
    } else if ((tag === 'Action' || tag === 'Function') && open && attrs.IsBound === 'true') {
      operation = { kind: tag === 'Action' ? 'action' : 'function', name: attrs.Name!, binding: '' }
    } else if (tag === 'Parameter' && operation && !operation.binding) {
      operation.binding = local(attrs.Type!)
      parsed.operations.push(operation)
    }
    if (ends && (tag === 'EntityType' || tag === 'ComplexType')) type = undefined
    if (ends && tag === 'EnumType') enumType = undefined
    if (ends && (tag === 'Action' || tag === 'Function')) operation = undefined
  }
  return parsed
}

/** `graph.recipient` → `recipient`, `Collection(graph.x)` → `Collection(x)`; other namespaces stay qualified. */
function qualify(name: string, schema: { namespace: string; alias: string }): string {
  const collection = /^Collection\((.+)\)$/.exec(name)
  if (collection) return `Collection(${qualify(collection[1]!, schema)})`
  if (name.startsWith('Edm.')) return name
  let full = name
  if (schema.alias && name.startsWith(`${schema.alias}.`))
    full = `${schema.namespace}.${name.slice(schema.alias.length + 1)}`
  if (name.startsWith('graph.')) full = `microsoft.graph.${name.slice(6)}`
  if (!full.includes('.')) full = `${schema.namespace}.${full}`
  const rest = full.startsWith('microsoft.graph.') ? full.slice('microsoft.graph.'.length) : full
  return rest.includes('.') ? full : rest
}

export interface GraphTypesFile {
  source: typeof SOURCE & { sha256: string }
  format: string
  types: Record<string, GraphTypeEntry>
  enums: Record<string, { members: string[]; flags?: true }>
}

const FORMAT =
  'Types: Edm.* primitives or names in microsoft.graph (namespace left out). `x[]`: a collection of x; ' +
  '`!`: not nullable (the items, for a collection). Base types are flattened in (theirs first); `bases` lists them, ' +
  'nearest first; `stream`: the entity has a media stream (`/$value`); `derived` lists the types of this file that derive from it. Operations are the bound actions and ' +
  'functions of the type (or of a collection of it), its bases included.'

const encode = ({ type, nullable }: RawProperty) => {
  const collection = /^Collection\((.+)\)$/.exec(type)
  return (collection ? `${collection[1]}[]` : type) + (nullable ? '' : '!')
}
const element = (type: string) => /^Collection\((.+)\)$/.exec(type)?.[1] ?? type

function basesOf(csdl: Csdl, name: string): string[] {
  const bases: string[] = []
  for (let base = csdl.types.get(name)?.base; base; base = csdl.types.get(base)?.base)
    bases.push(base)
  return bases
}

/** The root types and, transitively, the complex types and enums their properties use. */
function closure(csdl: Csdl): { types: Set<string>; enums: Set<string> } {
  const types = new Set<string>()
  const enums = new Set<string>()
  const pending = [...ROOT_TYPES]
  while (pending.length > 0) {
    const name = pending.pop()!
    if (types.has(name)) continue
    if (!csdl.types.has(name)) throw new Error(`The CSDL declares no type '${name}'.`)
    types.add(name)
    for (const owner of [...basesOf(csdl, name), name]) {
      for (const property of csdl.types.get(owner)!.properties) {
        const target = element(property.type)
        if (csdl.enums.has(target)) enums.add(target)
        else if (csdl.types.get(target)?.kind === 'complex') pending.push(target)
      }
    }
  }
  return { types, enums }
}

type OperationKey = 'actions' | 'functions' | 'collectionActions' | 'collectionFunctions'
const OPERATION_KEYS: Record<string, OperationKey> = {
  action: 'actions',
  function: 'functions',
  'collection action': 'collectionActions',
  'collection function': 'collectionFunctions',
}

function operationsOf(csdl: Csdl, name: string): Partial<Record<OperationKey, string[]>> {
  const owners = new Set([name, ...basesOf(csdl, name)])
  const found: Partial<Record<OperationKey, string[]>> = {}
  for (const operation of csdl.operations) {
    if (!owners.has(element(operation.binding))) continue
    const onCollection = operation.binding.startsWith('Collection(')
    const key = OPERATION_KEYS[`${onCollection ? 'collection ' : ''}${operation.kind}`]!
    const list = (found[key] ??= [])
    if (!list.includes(operation.name)) list.push(operation.name)
  }
  for (const list of Object.values(found)) list.sort()
  return found
}

function entryOf(csdl: Csdl, name: string, included: Set<string>): GraphTypeEntry {
  const raw = csdl.types.get(name)!
  const bases = basesOf(csdl, name)
  const owners = [...bases].reverse().concat(name)
  const flatten = (pick: (type: RawType) => RawProperty[]) =>
    Object.fromEntries(
      owners.flatMap((owner) => pick(csdl.types.get(owner)!).map((p) => [p.name, encode(p)])),
    )
  const derived = [...included].filter((other) => basesOf(csdl, other).includes(name)).sort()
  const navigation = flatten((type) => type.navigation)
  return {
    kind: raw.kind,
    ...(bases.length > 0 ? { bases } : {}),
    ...(raw.abstract ? { abstract: true as const } : {}),
    ...(owners.some((owner) => csdl.types.get(owner)!.open) ? { open: true as const } : {}),
    ...(owners.some((owner) => csdl.types.get(owner)!.stream) ? { stream: true as const } : {}),
    ...(derived.length > 0 ? { derived } : {}),
    properties: flatten((type) => type.properties),
    ...(Object.keys(navigation).length > 0 ? { navigation } : {}),
    ...(raw.kind === 'entity' ? operationsOf(csdl, name) : {}),
  }
}

/** The subset written to graph-types.json, from the CSDL's text. */
export function deriveGraphTypes(csdlText: string): GraphTypesFile {
  const csdl = parseCsdl(csdlText)
  const { types, enums } = closure(csdl)
  const sorted = (names: Set<string>) => [...names].sort((a, b) => a.localeCompare(b, 'en'))
  return {
    source: { ...SOURCE, sha256: createHash('sha256').update(csdlText).digest('hex') },
    format: FORMAT,
    types: Object.fromEntries(sorted(types).map((name) => [name, entryOf(csdl, name, types)])),
    enums: Object.fromEntries(
      sorted(enums).map((name) => {
        const { flags, members } = csdl.enums.get(name)!
        return [name, { members, ...(flags ? { flags: true as const } : {}) }]
      }),
    ),
  }
}

/** The file's text: deriveGraphTypes formatted as Prettier formats the project's JSON. */
export async function renderGraphTypes(csdlText: string): Promise<string> {
  const options = (await resolveConfig(OUTPUT)) ?? {}
  return format(JSON.stringify(deriveGraphTypes(csdlText)), { ...options, parser: 'json' })
}

/** The CSDL's path: the argument, else $GRAPH_METADATA_DIR/v1.0-Prod.csdl, else the shared research copy. */
export function csdlPath(argument?: string): string {
  if (argument) return argument
  return join(process.env.GRAPH_METADATA_DIR ?? '/work/shared/graph-metadata', 'v1.0-Prod.csdl')
}

if (import.meta.main) {
  const path = csdlPath(process.argv[2])
  writeFileSync(OUTPUT, await renderGraphTypes(readFileSync(path, 'utf8')))
  console.log(`Wrote ${OUTPUT.pathname} from ${path}`)
}
