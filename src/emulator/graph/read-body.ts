/**
 * Reads request bodies the way Graph does: property names case-insensitive, OData type errors, unknown names refused.
 */
import { GraphError } from './graph-error.ts'

type TypeName =
  | 'sendMail'
  | 'message'
  | 'itemBody'
  | 'recipient'
  | 'emailAddress'
  | 'internetMessageHeader'
  | 'followupFlag'
  | 'attachment'
  | 'attachmentItem'
  | 'uploadSession'
  | 'singleValueLegacyExtendedProperty'
type Kind =
  'string' | 'boolean' | 'int' | 'any' | { enum: string[] } | { type: TypeName } | { list: Kind }

const recipients: Kind = { list: { type: 'recipient' } }
// Read-only message properties clients send back unchanged; Graph ignores them on write.
const READ_ONLY = [
  'id',
  'createdDateTime',
  'lastModifiedDateTime',
  'changeKey',
  'receivedDateTime',
  'sentDateTime',
  'hasAttachments',
  'bodyPreview',
  'parentFolderId',
  'conversationId',
  'conversationIndex',
  'isDraft',
  'webLink',
  'uniqueBody',
  'inferenceClassification',
  'internetMessageId',
  'isDeliveryReceiptRequested',
  'isReadReceiptRequested',
]

const TYPES: Record<TypeName, Record<string, Kind>> = {
  sendMail: { message: { type: 'message' }, saveToSentItems: 'boolean' },
  message: {
    subject: 'string',
    body: { type: 'itemBody' },
    toRecipients: recipients,
    ccRecipients: recipients,
    bccRecipients: recipients,
    replyTo: recipients,
    from: { type: 'recipient' },
    sender: { type: 'recipient' },
    importance: { enum: ['low', 'normal', 'high'] },
    internetMessageHeaders: { list: { type: 'internetMessageHeader' } },
    attachments: { list: { type: 'attachment' } },
    categories: { list: 'string' },
    isRead: 'boolean',
    flag: { type: 'followupFlag' },
    singleValueExtendedProperties: { list: { type: 'singleValueLegacyExtendedProperty' } },
    ...Object.fromEntries(READ_ONLY.map((name): [string, Kind] => [name, 'any'])),
  },
  itemBody: { contentType: { enum: ['text', 'html'] }, content: 'string' },
  recipient: { emailAddress: { type: 'emailAddress' } },
  emailAddress: { address: 'string', name: 'string' },
  internetMessageHeader: { name: 'string', value: 'string' },
  followupFlag: {
    flagStatus: { enum: ['notFlagged', 'complete', 'flagged'] },
    completedDateTime: 'any',
    dueDateTime: 'any',
    startDateTime: 'any',
  },
  attachment: {
    name: 'string',
    contentType: 'string',
    contentBytes: 'string',
    isInline: 'boolean',
    contentId: 'string',
    contentLocation: 'string',
    size: 'int',
    id: 'any',
    lastModifiedDateTime: 'any',
  },
  attachmentItem: {
    attachmentType: { enum: ['file', 'item', 'reference'] },
    name: 'string',
    size: 'int',
    contentType: 'string',
    isInline: 'boolean',
    contentId: 'string',
  },
  uploadSession: { attachmentItem: { type: 'attachmentItem' } },
  singleValueLegacyExtendedProperty: { id: 'string', value: 'string' },
}

// Lower-cased name → canonical name, per type, built once.
const CANONICAL = Object.fromEntries(
  Object.entries(TYPES).map(([type, props]) => [
    type,
    new Map(Object.keys(props).map((name) => [name.toLowerCase(), name])),
  ]),
) as Record<TypeName, Map<string, string>>

const bodyError = (message: string) => new GraphError(400, 'RequestBodyRead', message)

/** Returns a copy of `value` with canonical property names, or throws Graph's RequestBodyRead error. */
export function readBody<T>(value: unknown, type: TypeName): T {
  return readValue(value, { type }) as T
}

function readValue(value: unknown, kind: Kind): unknown {
  if (value === null || value === undefined || kind === 'any') return value ?? null
  if (kind === 'string') {
    if (typeof value !== 'string')
      throw bodyError(
        `Cannot convert the literal '${literal(value)}' to the expected type 'Edm.String'.`,
      )
    return value
  }
  if (kind === 'boolean') {
    if (typeof value === 'boolean') return value
    if (typeof value === 'string' && /^(true|false)$/i.test(value))
      return value.toLowerCase() === 'true'
    throw bodyError(
      `Cannot convert the literal '${literal(value)}' to the expected type 'Edm.Boolean'.`,
    )
  }
  if (kind === 'int') {
    if (typeof value === 'number' && Number.isSafeInteger(value)) return value
    throw bodyError(
      `Cannot convert the literal '${literal(value)}' to the expected type 'Edm.Int64'.`,
    )
  }
  if ('enum' in kind) {
    const found =
      typeof value === 'string'
        ? kind.enum.find((name) => name.toLowerCase() === value.toLowerCase())
        : undefined
    if (!found) throw bodyError(`Requested value '${literal(value)}' was not found.`)
    return found
  }
  if ('list' in kind) {
    if (!Array.isArray(value)) throw bodyError(unexpectedNode(value, 'StartArray'))
    return value.map((item) => readValue(item, kind.list))
  }
  return readObject(value, kind.type)
}

function readObject(value: unknown, type: TypeName): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bodyError(unexpectedNode(value, 'StartObject'))
  const props: Record<string, Kind> = TYPES[type]
  const result: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) {
    if (key.startsWith('@') || key.includes('@odata.')) {
      result[key] = item
      continue
    }
    const name = CANONICAL[type].get(key.toLowerCase())
    if (!name) {
      throw bodyError(
        `The property '${key}' does not exist on type 'microsoft.graph.${type}'. Make sure to only use ` +
          'property names that are defined by the type or mark the type as open type.',
      )
    }
    result[name] = readValue(item, props[name]!)
  }
  return result
}

const literal = (value: unknown) =>
  (typeof value === 'object' ? JSON.stringify(value) : String(value)).slice(0, 100)

function unexpectedNode(value: unknown, expected: string): string {
  const node = Array.isArray(value)
    ? 'StartArray'
    : typeof value === 'object' && value !== null
      ? 'StartObject'
      : 'PrimitiveValue'
  return `An unexpected '${node}' node was found when reading from the JSON reader. A '${expected}' node was expected.`
}
