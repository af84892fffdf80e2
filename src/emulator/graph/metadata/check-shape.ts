/**
 * checkShape(value, type): every way a JSON value departs from the Graph type's declared shape (graph-types.json):
 * undeclared properties, wrong JSON types, bad enum members, `@odata.type` outside the type's family, nested values.
 */
import { decodeType, enumMembers, graphType, type PropertyType } from './graph-types.ts'

/** Instance annotations Graph puts on entities and collections (OData JSON format, section 18.2 to 18.4). */
const ANNOTATIONS: Record<string, 'string' | 'number'> = {
  '@odata.context': 'string',
  '@odata.etag': 'string',
  '@odata.type': 'string',
  '@odata.id': 'string',
  '@odata.editLink': 'string',
  '@odata.readLink': 'string',
  '@odata.mediaContentType': 'string',
  '@odata.mediaEtag': 'string',
  '@odata.mediaReadLink': 'string',
  '@odata.mediaEditLink': 'string',
  '@odata.nextLink': 'string',
  '@odata.deltaLink': 'string',
  '@odata.count': 'number',
}

const PRIMITIVE: Record<string, (value: unknown) => boolean> = {
  'Edm.String': (value) => typeof value === 'string',
  'Edm.Boolean': (value) => typeof value === 'boolean',
  'Edm.Int16': (value) => Number.isInteger(value) && Math.abs(value as number) < 2 ** 15,
  'Edm.Int32': (value) => Number.isInteger(value) && Math.abs(value as number) < 2 ** 31,
  'Edm.Int64': (value) => Number.isSafeInteger(value),
  'Edm.Byte': (value) =>
    Number.isInteger(value) && (value as number) >= 0 && (value as number) < 256,
  'Edm.Double': (value) => typeof value === 'number',
  'Edm.Single': (value) => typeof value === 'number',
  'Edm.Decimal': (value) => typeof value === 'number',
  'Edm.DateTimeOffset': (value) =>
    typeof value === 'string' &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$/.test(value) &&
    !Number.isNaN(Date.parse(value)),
  'Edm.Date': (value) => typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value),
  'Edm.TimeOfDay': (value) =>
    typeof value === 'string' && /^\d{2}:\d{2}(:\d{2}(\.\d{1,12})?)?$/.test(value),
  'Edm.Duration': (value) =>
    typeof value === 'string' && /^-?P(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/.test(value),
  'Edm.Guid': (value) =>
    typeof value === 'string' &&
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value),
  'Edm.Binary': (value) => typeof value === 'string' && /^[A-Za-z0-9+/_-]*={0,2}$/.test(value),
}

const show = (value: unknown) => {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

/** The problems of `value` as a `type` (a complex or entity type of graph-types.json); [] when it conforms. */
export function checkShape(value: unknown, type: string, path = '$'): string[] {
  const declared = graphType(type)
  if (!declared) return [`${path}: the type microsoft.graph.${type} is not in graph-types.json`]
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return [`${path}: expected a microsoft.graph.${type} object, got ${show(value)}`]
  const record = value as Record<string, unknown>
  const actual = actualType(record, type, path)
  if (typeof actual !== 'string') return actual
  const entry = graphType(actual)!
  const problems: string[] = []
  for (const [key, item] of Object.entries(record)) {
    const at = `${path}.${key}`
    if (key.startsWith('@')) problems.push(...checkAnnotation(key, item, at))
    else if (key.includes('@')) {
      const owner = key.slice(0, key.indexOf('@'))
      if (!(owner in entry.properties) && !entry.navigation?.[owner])
        problems.push(
          `${at}: annotates '${owner}', which microsoft.graph.${actual} does not declare`,
        )
      problems.push(...checkAnnotation(key.slice(owner.length), item, at))
    } else if (key in entry.properties)
      problems.push(...checkValue(item, decodeType(entry.properties[key]!), at))
    else if (entry.navigation?.[key])
      problems.push(
        ...checkValue(item, { ...decodeType(entry.navigation[key]), nullable: true }, at),
      )
    else problems.push(`${at}: microsoft.graph.${actual} declares no property '${key}'`)
  }
  return problems
}

/** The type named by `@odata.type` (it must be the declared type or one derived from it), else the declared type. */
function actualType(
  record: Record<string, unknown>,
  type: string,
  path: string,
): string | string[] {
  const tag = record['@odata.type']
  if (tag === undefined) {
    if (graphType(type)!.abstract)
      return [`${path}: microsoft.graph.${type} is abstract; the value needs an @odata.type`]
    return type
  }
  const named = typeof tag === 'string' ? /^#microsoft\.graph\.(\w+)$/.exec(tag)?.[1] : undefined
  if (!named || !graphType(named))
    return [`${path}.@odata.type: ${show(tag)} names no type of graph-types.json`]
  if (named !== type && !graphType(type)!.derived?.includes(named))
    return [`${path}.@odata.type: ${show(tag)} is not microsoft.graph.${type} or derived from it`]
  return named
}

function checkAnnotation(name: string, value: unknown, at: string): string[] {
  const expected = ANNOTATIONS[name]
  if (!expected) return [`${at}: not an OData annotation Graph sends`]
  return typeof value === expected ? [] : [`${at}: expected a ${expected}, got ${show(value)}`]
}

function checkValue(value: unknown, type: PropertyType, at: string): string[] {
  if (type.collection) {
    if (!Array.isArray(value))
      return [`${at}: expected a collection of ${type.name}, got ${show(value)}`]
    const item = { ...type, collection: false }
    return value.flatMap((element, index) => checkValue(element, item, `${at}[${index}]`))
  }
  if (value === null)
    return type.nullable ? [] : [`${at}: null, but ${type.name} is declared not nullable`]
  const primitive = PRIMITIVE[type.name]
  if (primitive)
    return primitive(value) ? [] : [`${at}: ${show(value)} is not a valid ${type.name}`]
  if (type.name.startsWith('Edm.')) return []
  const members = enumMembers(type.name)
  if (members) return checkEnum(value, type.name, members, at)
  return checkShape(value, type.name, at)
}

function checkEnum(
  value: unknown,
  name: string,
  { members, flags }: { members: string[]; flags?: true },
  at: string,
): string[] {
  if (typeof value !== 'string')
    return [`${at}: expected a member of microsoft.graph.${name}, got ${show(value)}`]
  const parts = flags ? value.split(',').map((part) => part.trim()) : [value]
  const wrong = parts.filter((part) => !members.includes(part))
  return wrong.length === 0
    ? []
    : [
        `${at}: '${wrong.join(',')}' is not a member of microsoft.graph.${name} (${members.join(', ')})`,
      ]
}

/** Entity sets of Graph's container the emulator's answers start from, and their entity types. */
const ENTITY_SETS: Record<string, string> = { users: 'user', me: 'user' }

/**
 * What an `@odata.context` URL says the answer is (`…/$metadata#users('id')/messages/$entity` → a message), walking
 * navigation properties from the entity set; undefined when it leads outside graph-types.json.
 */
export function contextType(context: string): { type: string; collection: boolean } | undefined {
  const fragment = context.slice(context.indexOf('#') + 1)
  const single = /^microsoft\.graph\.(\w+)$/.exec(fragment)
  if (single) return { type: single[1]!, collection: false }
  const segments = fragment.split('/')
  const entity = segments.at(-1) === '$entity'
  if (entity) segments.pop()
  let type: string | undefined
  let collection = true
  for (const [index, segment] of segments.entries()) {
    const [, name, parens] = /^([\w.]+)(?:\((.*)\))?$/.exec(segment) ?? []
    if (!name) return undefined
    const keyed = parens !== undefined && /^'.*'$|^[\w-]+$/.test(parens) && !parens.includes(',')
    const owner = index === 0 ? undefined : graphType(type!)
    const target: string | undefined =
      index === 0
        ? ENTITY_SETS[name]
        : (owner?.navigation?.[name] ?? owner?.properties[name]?.replace(/!$/, ''))
    if (!target) return undefined
    type = target.replace(/\[\]$/, '')
    collection = index === 0 || target.endsWith('[]')
    if (keyed && !(parens && graphType(type)?.properties[parens])) collection = false
  }
  return type && graphType(type) ? { type, collection: collection && !entity } : undefined
}
