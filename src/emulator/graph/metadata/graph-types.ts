/**
 * graphType, propertyType, enumMembers, selectableProperties, unknownPropertyError: Graph's v1.0 metadata subset
 * (graph-types.json, derived from microsoftgraph/msgraph-metadata by tools/derive-graph-types.ts) for the emulator.
 */
import data from './graph-types.json' with { type: 'json' }
import { GraphError } from '../graph-error.ts'

export interface GraphTypeEntry {
  kind: 'entity' | 'complex'
  bases?: string[]
  abstract?: true
  open?: true
  /** The entity has a media stream (`…/$value`). */
  stream?: true
  derived?: string[]
  properties: Record<string, string>
  navigation?: Record<string, string>
  actions?: string[]
  functions?: string[]
  collectionActions?: string[]
  collectionFunctions?: string[]
}
/** A property's declared type, decoded from the file's `name`, `name[]`, `name!` notation. */
export interface PropertyType {
  /** `Edm.String`, or a type or enum name of microsoft.graph without namespace. */
  name: string
  collection: boolean
  nullable: boolean
}

const TYPES = data.types as Record<string, GraphTypeEntry>
const ENUMS = data.enums as Record<string, { members: string[]; flags?: true }>
export const METADATA_SOURCE = data.source

/** The type's entry (`message`, `microsoft.graph.message` or `#microsoft.graph.message`), undefined if not in the subset. */
export function graphType(name: string): GraphTypeEntry | undefined {
  return TYPES[name.replace(/^#?microsoft\.graph\./, '')]
}

export const graphTypeNames = (): string[] => Object.keys(TYPES)

export function decodeType(encoded: string): PropertyType {
  const nullable = !encoded.endsWith('!')
  const bare = nullable ? encoded : encoded.slice(0, -1)
  const collection = bare.endsWith('[]')
  return { name: collection ? bare.slice(0, -2) : bare, collection, nullable }
}

/** The declared type of a structural property; undefined when the type does not declare it. */
export function propertyType(type: string, property: string): PropertyType | undefined {
  const encoded = graphType(type)?.properties[property]
  return encoded === undefined ? undefined : decodeType(encoded)
}

/** The members of an enum of the subset, and whether it is a flags enum; undefined for other names. */
export const enumMembers = (name: string) => ENUMS[name]

/** Every name `$select` accepts on the type: its structural and navigation properties, bases included. */
export function selectableProperties(type: string): string[] {
  const entry = graphType(type)
  if (!entry) throw new Error(`No type '${type}' in graph-types.json`)
  return [...Object.keys(entry.properties), ...Object.keys(entry.navigation ?? {})]
}

export const isNavigation = (type: string, property: string) =>
  graphType(type)?.navigation?.[property] !== undefined

// The service behind each entity type names it in its errors: Outlook's request broker ("Microsoft.OutlookServices.
// Message", code RequestBroker--ParseUri) or the directory ("Microsoft.DirectoryServices.User", Request_BadRequest).
const DIRECTORY_TYPES = new Set(['user', 'directoryObject'])

/** Graph's 400 for a `$select` (or other query) naming a property the type does not declare. */
export function unknownPropertyError(type: string, property: string): GraphError {
  const bare = type.replace(/^#?microsoft\.graph\./, '')
  const pascal = bare.charAt(0).toUpperCase() + bare.slice(1)
  const directory = DIRECTORY_TYPES.has(bare)
  const service = directory ? 'Microsoft.DirectoryServices' : 'Microsoft.OutlookServices'
  return new GraphError(
    400,
    directory ? 'Request_BadRequest' : 'RequestBroker--ParseUri',
    `Could not find a property named '${property}' on type '${service}.${pascal}'.`,
  )
}
