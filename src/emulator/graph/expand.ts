/**
 * readMessageExpand, expansionView, expandMessage: what `$expand` adds to messages — their attachments (a single
 * message) and their single-value extended properties (`singleValueExtendedProperties($filter=id eq '…')`, on a
 * message and on lists); other names are Graph's 400s.
 */
import type { FastifyRequest } from 'fastify'
import {
  extendedPropertiesView,
  propertyKey,
  type ExtendedPropertySelection,
} from './extended-properties.ts'
import { GraphError } from './graph-error.ts'
import type { MailStore } from './mail-store.ts'
import { invalidNodes } from './message-filter.ts'
import type { MessageRecord } from './message-model.ts'
import { attachmentView } from './message-views.ts'
import { isNavigation, unknownPropertyError } from './metadata/graph-types.ts'
import { metadataUrl } from './odata.ts'
import {
  FilterSyntaxError,
  FilterUnsupported,
  parseFilter,
  type FilterNode,
} from './odata-filter.ts'

/** What `$expand` asks of messages. */
export interface MessageExpansion {
  attachments: boolean
  /** The extended properties asked for (null: every one); undefined when not expanded. */
  extended?: ExtendedPropertySelection
}

const EXTENDED = 'singleValueExtendedProperties'

/** The request's `$expand`, checked; undefined without one. Lists expand extended properties only. */
export function readMessageExpand(
  request: FastifyRequest,
  list = false,
): MessageExpansion | undefined {
  const query = request.query as Record<string, string | undefined>
  const key = Object.keys(query).find((name) => /^\$?expand$/i.test(name))
  if (key === undefined) return undefined
  const expansion: MessageExpansion = { attachments: false }
  for (const item of splitTopLevel(String(query[key]))) {
    const open = item.indexOf('(')
    const name = (open === -1 ? item : item.slice(0, open)).trim()
    const options = open === -1 ? undefined : item.slice(open + 1, item.lastIndexOf(')'))
    if (name.toLowerCase() === EXTENDED.toLowerCase()) {
      expansion.extended = options === undefined ? null : selection(options)
    } else if (name.toLowerCase() === 'attachments' && !list && options === undefined) {
      expansion.attachments = true
    } else {
      if (!isNavigation('message', name)) throw unknownPropertyError('message', name)
      const where = list ? ' on message lists' : ''
      throw new GraphError(400, 'BadRequest', `The emulator does not expand '${item}'${where}.`)
    }
  }
  return expansion
}

/** The `@odata.context` and values `expansion` adds to one message. */
export function expansionView(
  request: FastifyRequest,
  mail: MailStore,
  message: MessageRecord,
  expansion: MessageExpansion | undefined,
): Record<string, unknown> {
  if (!expansion) return {}
  const expanded: Record<string, unknown> = {}
  const path = `users('${message.mailbox}')/messages('${message.id}')`
  if (expansion.attachments) {
    expanded['attachments@odata.context'] = metadataUrl(request, `${path}/attachments`)
    expanded.attachments = mail.attachments(message.id).map((record) => attachmentView(record))
  }
  if (expansion.extended !== undefined) {
    // Graph leaves the navigation property out when no property matches.
    const properties = extendedPropertiesView(message, expansion.extended)
    if (properties.length > 0) {
      expanded[`${EXTENDED}@odata.context`] = metadataUrl(request, `${path}/${EXTENDED}`)
      expanded[EXTENDED] = properties
    }
  }
  return expanded
}

/** `$expand` on a single message. */
export function expandMessage(
  request: FastifyRequest,
  mail: MailStore,
  message: MessageRecord,
): Record<string, unknown> {
  return expansionView(request, mail, message, readMessageExpand(request))
}

/** `$filter=id eq '…' [or id eq '…']` inside `singleValueExtendedProperties(…)`: the keys asked for. */
function selection(options: string): ExtendedPropertySelection {
  const [, filter] = /^\s*\$?filter\s*=(.*)$/is.exec(options) ?? []
  if (filter === undefined) {
    throw new GraphError(
      400,
      'BadRequest',
      `The emulator reads only $filter=id eq '…' in $expand=${EXTENDED}(…).`,
    )
  }
  let tree: FilterNode
  try {
    tree = parseFilter(filter)
  } catch (error) {
    if (error instanceof FilterSyntaxError || error instanceof FilterUnsupported)
      throw invalidNodes()
    throw error
  }
  const keys = new Set<string>()
  const collect = (node: FilterNode): void => {
    if (node.kind === 'or') {
      collect(node.left)
      collect(node.right)
    } else if (
      node.kind === 'compare' &&
      node.op === 'eq' &&
      node.property.toLowerCase() === 'id' &&
      typeof node.value === 'string'
    )
      keys.add(propertyKey(node.value))
    else throw invalidNodes()
  }
  collect(tree)
  return keys
}

/** Splits `a,b(c,'d,e'),f` at its top-level commas (outside parentheses and quoted strings), in one pass. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = []
  let depth = 0
  let quoted = false
  let start = 0
  for (let at = 0; at < text.length; at++) {
    const char = text[at]
    if (char === "'") quoted = !quoted
    else if (quoted) continue
    else if (char === '(') depth++
    else if (char === ')') depth--
    else if (char === ',' && depth === 0) {
      parts.push(text.slice(start, at).trim())
      start = at + 1
    }
    if (depth < 0) break
  }
  if (depth !== 0 || quoted)
    throw new GraphError(
      400,
      'BadRequest',
      `Invalid $expand: unbalanced '(' or quote in '${text}'.`,
    )
  parts.push(text.slice(start).trim())
  return parts.filter((part) => part !== '')
}
