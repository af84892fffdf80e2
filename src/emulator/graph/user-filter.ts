/**
 * A `$filter` on users, read with parseFilter and checked as the directory does: eq, in and startswith on the common
 * properties by default; ne, not, endswith, ranges and null in advanced queries only (`ConsistencyLevel: eventual` and
 * `$count=true`); the directory's errors otherwise. matchesFilter evaluates it on a user's values, without case.
 */
import { GraphError } from './graph-error.ts'
import {
  FilterSyntaxError,
  FilterUnsupported,
  parseFilter,
  type FilterNode,
  type Literal,
} from './odata-filter.ts'
import { KNOWN } from './user-routes.ts'

const FILTERABLE = new Map(
  [
    'id',
    'displayName',
    'givenName',
    'surname',
    'mail',
    'userPrincipalName',
    'jobTitle',
    'accountEnabled',
    'mailNickname',
    'userType',
    'preferredLanguage',
    'officeLocation',
    'mobilePhone',
  ].map((name) => [name.toLowerCase(), name]),
)
const KNOWN_NAMES = new Set(KNOWN.map((name) => name.toLowerCase()))
const unsupported = (message: string) => new GraphError(400, 'Request_UnsupportedQuery', message)

export function readUserFilter(text: string): FilterNode {
  try {
    return parseFilter(text)
  } catch (error) {
    if (error instanceof FilterSyntaxError) {
      const message = `Invalid filter clause: Syntax error at position ${error.position} in '${text}'.`
      throw new GraphError(400, 'BadRequest', message)
    }
    if (error instanceof FilterUnsupported) throw unsupported('Unsupported Query.')
    throw error
  }
}

/** Refuses what the directory refuses: unknown or unfilterable properties, advanced operators in a basic query. */
export function checkUserFilter(node: FilterNode, advanced: boolean, eventual: boolean): void {
  const needsAdvanced = (operator: string) => {
    if (advanced) return
    if (eventual) throw unsupported('Unsupported Query.')
    throw unsupported(
      `Operator '${operator}' is not supported because the 'ConsistencyLevel:eventual' header is missing. ` +
        'Refer to https://aka.ms/graph-docs/advanced-queries for more information',
    )
  }
  switch (node.kind) {
    case 'and':
    case 'or':
      checkUserFilter(node.left, advanced, eventual)
      return checkUserFilter(node.right, advanced, eventual)
    case 'not':
      needsAdvanced('not')
      return checkUserFilter(node.operand, advanced, eventual)
    case 'compare':
      checkProperty(node.property)
      if (node.op !== 'eq' || node.value === null) needsAdvanced(node.op)
      return checkType(node.property, node.value)
    case 'in':
      checkProperty(node.property)
      for (const value of node.values) checkType(node.property, value)
      return
    case 'call':
      checkProperty(node.property)
      if (node.name === 'contains') throw unsupported('Unsupported Query.')
      if (node.name === 'endswith') needsAdvanced('endsWith')
      return checkType(node.property, node.value)
    case 'lambda': // not parsed here (parseFilter without lambdas); the directory's word for them
      throw unsupported('Unsupported Query.')
  }
}

function checkProperty(property: string): void {
  if (FILTERABLE.has(property.toLowerCase())) return
  if (!KNOWN_NAMES.has(property.split('/')[0]!.toLowerCase())) {
    throw new GraphError(
      400,
      'Request_BadRequest',
      `Could not find a property named '${property}' on type 'microsoft.graph.user'.`,
    )
  }
  throw unsupported(
    `Unsupported or invalid query filter clause specified for property '${property}' of resource 'User'.`,
  )
}

function checkType(property: string, value: Literal): void {
  const boolean = property.toLowerCase() === 'accountenabled'
  if (value === null || (boolean ? typeof value === 'boolean' : typeof value === 'string')) return
  const found =
    typeof value === 'boolean'
      ? 'Edm.Boolean'
      : typeof value === 'number'
        ? 'Edm.Int32'
        : 'Edm.String'
  throw new GraphError(
    400,
    'BadRequest',
    'Invalid filter clause: A binary operator with incompatible types was detected. Found operand types ' +
      `'${boolean ? 'Edm.Boolean' : 'Edm.String'}' and '${found}' for operator kind 'Equal'.`,
  )
}

/** Evaluates a checked filter on a user's values; strings compare without case, as the directory does. */
export function matchesFilter(node: FilterNode, values: Record<string, unknown>): boolean {
  const value = (property: string) => values[FILTERABLE.get(property.toLowerCase())!] ?? null
  const same = (a: unknown, b: Literal) =>
    typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : a === b
  switch (node.kind) {
    case 'and':
      return matchesFilter(node.left, values) && matchesFilter(node.right, values)
    case 'or':
      return matchesFilter(node.left, values) || matchesFilter(node.right, values)
    case 'not':
      return !matchesFilter(node.operand, values)
    case 'in':
      return node.values.some((literal) => same(value(node.property), literal))
    case 'call': {
      const actual = String(value(node.property) ?? '').toLowerCase()
      const wanted = String(node.value).toLowerCase()
      return node.name === 'startswith' ? actual.startsWith(wanted) : actual.endsWith(wanted)
    }
    case 'compare':
      return compare(value(node.property), node.op, node.value, same)
    case 'lambda':
      return false
  }
}

function compare(
  actual: unknown,
  op: string,
  literal: Literal,
  same: (a: unknown, b: Literal) => boolean,
): boolean {
  if (op === 'eq') return same(actual, literal)
  if (op === 'ne') return !same(actual, literal)
  if (typeof actual !== 'string' || typeof literal !== 'string') return false
  const order = actual.localeCompare(literal, 'en', { sensitivity: 'base' })
  return op === 'gt' ? order > 0 : op === 'ge' ? order >= 0 : op === 'lt' ? order < 0 : order <= 0
}
