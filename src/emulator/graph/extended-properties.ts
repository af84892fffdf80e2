/**
 * Outlook's single-value extended properties on messages: propertyKey (the id formats Graph accepts, normalised for
 * matching), withExtendedProperties (set or replace on create and PATCH), and the expanded view.
 */
import { GraphError } from './graph-error.ts'
import type { ExtendedProperty, MessageRecord } from './message-model.ts'

/** What a request body may carry for one property (already read by readBody). */
export interface ExtendedPropertyInput {
  id?: string | null
  value?: string | null
}

// The single-value MAPI property types of Graph's id formats (the `…Array` types are multi-value properties).
const TYPES = new Map(
  [
    'ApplicationTime',
    'Binary',
    'Boolean',
    'CLSID',
    'Currency',
    'Double',
    'Error',
    'Float',
    'Integer',
    'Long',
    'Null',
    'Object',
    'Short',
    'String',
    'SystemTime',
  ].map((name) => [name.toLowerCase(), name]),
)
const GUID = /^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/i
const HEX = /^0x[0-9a-f]{1,4}$/i
/** Longer ids are refused before any parsing (a MAPI name is at most 255 characters). */
const MAX_ID = 400

/** Graph's answer to an id in none of the formats (seen in Graph's replies for a bad type and id combination). */
export const invalidExtendedProperty = () =>
  new GraphError(
    400,
    'ErrorInvalidExtendedProperty',
    'The extended property attribute combination is invalid.',
  )

/**
 * The property an id names, as a key that compares as Exchange does: the type, the GUID, the `Name`/`Id` keyword and
 * hex numbers without case; the string name with case ("Filtering the string name (Name) in the id of an extended
 * property is case-sensitive", Graph's singleValueLegacyExtendedProperty-get). Formats: `{type} {guid} Name {name}`,
 * `{type} {guid} Id 0x{hex}`, `{type} 0x{hex}` (a proptag id). Anything else: ErrorInvalidExtendedProperty.
 */
export function propertyKey(id: string): string {
  if (id.length > MAX_ID) throw invalidExtendedProperty()
  const [rawType = '', second = '', keyword = '', ...rest] = id.split(' ')
  const type = TYPES.get(rawType.toLowerCase())
  if (!type) throw invalidExtendedProperty()
  if (keyword === '' && rest.length === 0 && HEX.test(second))
    return `${type} 0x${parseInt(second.slice(2), 16).toString(16)}`
  if (!GUID.test(second)) throw invalidExtendedProperty()
  const guid = second.toLowerCase()
  const tail = rest.join(' ')
  if (keyword.toLowerCase() === 'name' && tail.trim() !== '') return `${type} ${guid} Name ${tail}`
  if (keyword.toLowerCase() === 'id' && rest.length === 1 && HEX.test(tail))
    return `${type} ${guid} Id 0x${parseInt(tail.slice(2), 16).toString(16)}`
  throw invalidExtendedProperty()
}

/**
 * The record's properties with `inputs` set: a property already there (same key) takes the new value, others are
 * added, as Graph's "Create single-value extended property" does on a new or an existing message.
 */
export function withExtendedProperties(
  current: ExtendedProperty[] | undefined,
  inputs: ExtendedPropertyInput[],
): ExtendedProperty[] {
  const properties = [...(current ?? [])]
  for (const input of inputs) {
    if (typeof input?.id !== 'string') throw invalidExtendedProperty()
    const key = propertyKey(input.id)
    const value = input.value ?? ''
    const index = properties.findIndex((property) => property.key === key)
    if (index === -1) properties.push({ id: input.id, value, key })
    else properties[index] = { ...properties[index]!, value }
  }
  return properties
}

/** Which properties an `$expand` asks for: the keys of its `$filter=id eq '…'` (or every one when null). */
export type ExtendedPropertySelection = Set<string> | null

/** The expanded navigation property of a message, as Graph answers it: `{ id, value }` objects, or nothing. */
export function extendedPropertiesView(
  message: MessageRecord,
  selection: ExtendedPropertySelection,
): { id: string; value: string }[] {
  return (message.singleValueExtendedProperties ?? [])
    .filter((property) => selection === null || selection.has(property.key))
    .map(({ id, value }) => ({ id, value }))
}
