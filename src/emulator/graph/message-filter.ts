/**
 * messageFilter(text): a message list's `$filter` → SqlFilter (values bound, property names from a fixed table), or
 * Outlook's errors: a syntax error, an unknown property, a type mismatch, and `ErrorInvalidUrlQueryFilter` for the
 * forms the emulator does not evaluate (lambdas other than Graph's documented one on extended properties, functions on
 * other properties). checkFilterOrder: Outlook's
 * `InefficientFilter` rule for `$filter` with `$orderby`.
 */
import { propertyKey } from './extended-properties.ts'
import { GraphError } from './graph-error.ts'
import type { OrderBy, SqlFilter } from './mail-store.ts'
import { MESSAGE_PROPERTIES } from './message-model.ts'
import {
  filterProperties,
  FilterSyntaxError,
  FilterUnsupported,
  parseFilter,
  type CompareOp,
  type FilterNode,
  type Literal,
} from './odata-filter.ts'

type Kind = 'string' | 'boolean' | 'dateTime'
interface Field {
  sql: string
  kind: Kind
  /** startswith / contains allowed (Outlook's string restrictions). */
  text?: boolean
}

const json = (path: string) => `json_extract(data, '$.${path}')`
// The filterable properties, each with its column or JSON path; strings compare without case, as Exchange does.
const FIELDS: Record<string, Field> = {
  internetmessageid: { sql: `${json('internetMessageId')} COLLATE NOCASE`, kind: 'string' },
  isread: { sql: 'is_read', kind: 'boolean' },
  isdraft: { sql: json('isDraft'), kind: 'boolean' },
  hasattachments: { sql: json('hasAttachments'), kind: 'boolean' },
  'from/emailaddress/address': {
    sql: `${json('from.emailAddress.address')} COLLATE NOCASE`,
    kind: 'string',
  },
  'from/emailaddress/name': {
    sql: `${json('from.emailAddress.name')} COLLATE NOCASE`,
    kind: 'string',
    text: true,
  },
  'sender/emailaddress/address': {
    sql: `${json('sender.emailAddress.address')} COLLATE NOCASE`,
    kind: 'string',
  },
  subject: { sql: 'subject COLLATE NOCASE', kind: 'string', text: true },
  importance: { sql: json('importance'), kind: 'string' },
  conversationid: { sql: json('conversationId'), kind: 'string' },
  receiveddatetime: { sql: 'received', kind: 'dateTime' },
  sentdatetime: { sql: 'sent', kind: 'dateTime' },
  createddatetime: { sql: json('createdDateTime'), kind: 'dateTime' },
  lastmodifieddatetime: { sql: json('lastModifiedDateTime'), kind: 'dateTime' },
}
const SQL_OP: Record<CompareOp, string> = {
  eq: '=',
  ne: '<>',
  gt: '>',
  ge: '>=',
  lt: '<',
  le: '<=',
}
const ODATA_OP: Record<CompareOp, string> = {
  eq: 'Equal',
  ne: 'NotEqual',
  gt: 'GreaterThan',
  ge: 'GreaterThanOrEqual',
  lt: 'LessThan',
  le: 'LessThanOrEqual',
}
const EDM: Record<Kind, string> = {
  string: 'Edm.String',
  boolean: 'Edm.Boolean',
  dateTime: 'Edm.DateTimeOffset',
}
const KNOWN_ROOTS = new Set(MESSAGE_PROPERTIES.map((name) => name.toLowerCase()))

export const invalidNodes = () =>
  new GraphError(
    400,
    'ErrorInvalidUrlQueryFilter',
    'The query filter contains one or more invalid nodes.',
  )

/** Parses and compiles a message `$filter`; Graph's 400s for everything it cannot. */
export function messageFilter(text: string): { where: SqlFilter; properties: string[] } {
  let tree: FilterNode
  try {
    tree = parseFilter(text, { lambdas: true })
  } catch (error) {
    if (error instanceof FilterSyntaxError) {
      const message = `Invalid filter clause: Syntax error at position ${error.position} in '${text}'.`
      throw new GraphError(400, 'BadRequest', message)
    }
    if (error instanceof FilterUnsupported) throw invalidNodes()
    throw error
  }
  const params: SqlFilter['params'] = []
  const sql = compile(tree, params)
  return {
    where: { sql, params },
    properties: filterProperties(tree).map((name) => name.toLowerCase()),
  }
}

/**
 * Outlook sorts a filtered list only on what it filters first: every `$orderby` property must appear in the
 * `$filter`, before any other property [Graph docs, "Using filter and orderby in the same query"].
 */
export function checkFilterOrder(properties: string[], order: OrderBy | undefined): void {
  if (!order) return
  if (properties[0] !== order.field.toLowerCase()) {
    throw new GraphError(
      400,
      'InefficientFilter',
      'The restriction or sort order is too complex for this operation.',
    )
  }
}

function compile(node: FilterNode, params: SqlFilter['params']): string {
  switch (node.kind) {
    case 'and':
    case 'or':
      return `(${compile(node.left, params)} ${node.kind.toUpperCase()} ${compile(node.right, params)})`
    case 'not':
      return `NOT (${compile(node.operand, params)})`
    case 'compare':
      return comparison(field(node.property), node.op, node.value, params)
    case 'in': {
      const target = field(node.property)
      const values = node.values.map((value) => bind(target, 'eq', value, params))
      return `${target.sql} IN (${values.join(', ')})`
    }
    case 'call': {
      const target = field(node.property)
      if (!target.text || typeof node.value !== 'string') throw invalidNodes()
      const pattern =
        node.name === 'startswith' ? `${escapeLike(node.value)}%` : `%${escapeLike(node.value)}%`
      if (node.name === 'endswith') throw invalidNodes()
      params.push(pattern)
      return `${target.sql} LIKE ? ESCAPE '\\'`
    }
    case 'lambda':
      return extendedPropertyFilter(node, params)
  }
}

type Lambda = Extract<FilterNode, { kind: 'lambda' }>
const EXTENDED = 'singlevalueextendedproperties'

/**
 * Graph's documented form, `singleValueExtendedProperties/any(ep: ep/id eq '{id}' [and <value test>])`, as an EXISTS
 * over the message's stored properties: the id by its key (propertyKey), the value with `eq`, `ne`, `startswith`,
 * `contains` (and `and`, `or`, `not` of them), without case ("Filtering the value property of an extended property is
 * case-insensitive", Graph's singleValueLegacyExtendedProperty-get). Every other lambda: ErrorInvalidUrlQueryFilter.
 */
function extendedPropertyFilter(node: Lambda, params: SqlFilter['params']): string {
  if (node.property.toLowerCase() !== EXTENDED) {
    field(node.property) // an unknown property is RequestBroker--ParseUri; a known one falls through
    throw invalidNodes()
  }
  if (node.name !== 'any') throw invalidNodes()
  const member = (path: string) => {
    const slash = path.indexOf('/')
    if (slash === -1 || path.slice(0, slash) !== node.variable) throw invalidNodes()
    return path.slice(slash + 1).toLowerCase()
  }
  const isId = (part: FilterNode) =>
    part.kind === 'compare' &&
    part.op === 'eq' &&
    typeof part.value === 'string' &&
    member(part.property) === 'id'
  const { predicate } = node
  const [idTest, rest] = isId(predicate)
    ? [predicate, undefined]
    : predicate.kind === 'and' && isId(predicate.left)
      ? [predicate.left, predicate.right]
      : predicate.kind === 'and' && isId(predicate.right)
        ? [predicate.right, predicate.left]
        : [undefined, undefined]
  if (!idTest || idTest.kind !== 'compare') throw invalidNodes()
  params.push(propertyKey(idTest.value as string))
  const value = rest ? ` AND (${valueTest(rest, member, params)})` : ''
  return (
    "EXISTS (SELECT 1 FROM json_each(graph_messages.data, '$.singleValueExtendedProperties') AS ep " +
    `WHERE json_extract(ep.value, '$.key') = ?${value})`
  )
}

const VALUE_SQL = "json_extract(ep.value, '$.value') COLLATE NOCASE"

/** A test on `ep/value` inside the lambda. */
function valueTest(
  node: FilterNode,
  member: (path: string) => string,
  params: SqlFilter['params'],
): string {
  switch (node.kind) {
    case 'and':
    case 'or':
      return `(${valueTest(node.left, member, params)} ${node.kind.toUpperCase()} ${valueTest(node.right, member, params)})`
    case 'not':
      return `NOT (${valueTest(node.operand, member, params)})`
    case 'compare':
      if (member(node.property) !== 'value' || typeof node.value !== 'string') break
      if (node.op !== 'eq' && node.op !== 'ne') break
      params.push(node.value)
      return `${VALUE_SQL} ${SQL_OP[node.op]} ?`
    case 'call':
      if (member(node.property) !== 'value' || typeof node.value !== 'string') break
      if (node.name === 'endswith') break
      params.push(
        node.name === 'startswith' ? `${escapeLike(node.value)}%` : `%${escapeLike(node.value)}%`,
      )
      return `${VALUE_SQL} LIKE ? ESCAPE '\\'`
  }
  throw invalidNodes()
}

function field(property: string): Field {
  const found = FIELDS[property.toLowerCase()]
  if (found) return found
  const root = property.split('/')[0]!
  if (!KNOWN_ROOTS.has(root.toLowerCase())) {
    throw new GraphError(
      400,
      'RequestBroker--ParseUri',
      `Could not find a property named '${root}' on type 'microsoft.graph.message'.`,
    )
  }
  throw invalidNodes()
}

function comparison(target: Field, op: CompareOp, value: Literal, params: SqlFilter['params']) {
  if (value === null) {
    if (op !== 'eq' && op !== 'ne') throw invalidNodes()
    return `${target.sql} IS ${op === 'eq' ? '' : 'NOT '}NULL`
  }
  if (target.kind === 'boolean' && op !== 'eq' && op !== 'ne') throw invalidNodes()
  return `${target.sql} ${SQL_OP[op]} ${bind(target, op, value, params)}`
}

/** Pushes the literal as the column stores it, or Graph's type error when it is of another type. */
function bind(target: Field, op: CompareOp, value: Literal, params: SqlFilter['params']): string {
  const kind: Kind | 'other' =
    typeof value === 'string'
      ? 'string'
      : typeof value === 'boolean'
        ? 'boolean'
        : value !== null && typeof value === 'object'
          ? 'dateTime'
          : 'other'
  if (kind !== target.kind) {
    const found = kind === 'other' ? 'Edm.Int32' : EDM[kind]
    throw new GraphError(
      400,
      'BadRequest',
      'Invalid filter clause: A binary operator with incompatible types was detected. Found operand types ' +
        `'${EDM[target.kind]}' and '${found}' for operator kind '${ODATA_OP[op]}'.`,
    )
  }
  if (typeof value === 'boolean') params.push(value ? 1 : 0)
  else if (typeof value === 'string') params.push(value)
  else params.push((value as { dateTime: string }).dateTime)
  return '?'
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (char) => `\\${char}`)
