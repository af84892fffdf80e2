/**
 * contactRoutes: /me/contacts (and /users/{id}/contacts) — POST, GET (paged by `$top` 10 and `$skip`, `$select`,
 * `$orderby` displayName, `$count`), GET/PATCH/DELETE by id. Contacts.Read to read, Contacts.ReadWrite to change.
 * Without a displayName, one is made of the given name and surname, as Outlook does.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import type { User } from '../state/directory.ts'
import type { ContactOrder, ContactRecord } from './contact-store.ts'
import { GraphError } from './graph-error.ts'
import { owner } from './graph-request.ts'
import { mailboxRoute } from './mailbox-route.ts'
import { newChangeKey, newId, newImmutableId } from './message-model.ts'
import {
  countOption,
  metadataUrl,
  nextLink,
  option,
  select,
  sendOData,
  skip,
  top,
} from './odata.ts'
import { wantsImmutableIds } from './prefer.ts'

type Kind = 'string' | 'strings' | 'emails' | 'address' | 'date'
const WRITABLE: Record<string, Kind> = {
  givenName: 'string',
  surname: 'string',
  displayName: 'string',
  middleName: 'string',
  nickName: 'string',
  title: 'string',
  initials: 'string',
  generation: 'string',
  fileAs: 'string',
  birthday: 'date',
  yomiGivenName: 'string',
  yomiSurname: 'string',
  yomiCompanyName: 'string',
  emailAddresses: 'emails',
  imAddresses: 'strings',
  businessPhones: 'strings',
  homePhones: 'strings',
  mobilePhone: 'string',
  jobTitle: 'string',
  companyName: 'string',
  department: 'string',
  officeLocation: 'string',
  profession: 'string',
  businessHomePage: 'string',
  assistantName: 'string',
  manager: 'string',
  spouseName: 'string',
  personalNotes: 'string',
  children: 'strings',
  categories: 'strings',
  homeAddress: 'address',
  businessAddress: 'address',
  otherAddress: 'address',
}
const READ_ONLY = [
  'id',
  '@odata.etag',
  'createdDateTime',
  'lastModifiedDateTime',
  'changeKey',
  'parentFolderId',
]
// Graph's order of a contact's properties.
export const CONTACT_PROPERTIES = [
  'id',
  'createdDateTime',
  'lastModifiedDateTime',
  'changeKey',
  'categories',
  'parentFolderId',
  'birthday',
  'fileAs',
  'displayName',
  'givenName',
  'initials',
  'middleName',
  'nickName',
  'surname',
  'title',
  'yomiGivenName',
  'yomiSurname',
  'yomiCompanyName',
  'generation',
  'imAddresses',
  'jobTitle',
  'companyName',
  'department',
  'officeLocation',
  'profession',
  'businessHomePage',
  'assistantName',
  'manager',
  'homePhones',
  'mobilePhone',
  'businessPhones',
  'spouseName',
  'personalNotes',
  'children',
  'emailAddresses',
  'homeAddress',
  'businessAddress',
  'otherAddress',
]
const LISTS = new Set([
  'categories',
  'imAddresses',
  'homePhones',
  'businessPhones',
  'children',
  'emailAddresses',
])
const ADDRESSES = new Set(['homeAddress', 'businessAddress', 'otherAddress'])
const CANONICAL = new Map(
  [...Object.keys(WRITABLE), ...READ_ONLY].map((name) => [name.toLowerCase(), name]),
)

export function contactRoutes(scope: FastifyInstance, context: EmulatorContext): void {
  const config = { throttled: 'request' } as const
  mailboxRoute(scope, 'GET', '/contacts', config, (request, reply) => {
    return listContacts(context, request, reply)
  })
  mailboxRoute(scope, 'POST', '/contacts', config, (request, reply) => {
    const user = owner(request)
    const now = new Date().toISOString()
    const contact = newContact(user, now)
    applyContactInput(contact, readContactInput(request.body))
    context.mail.contacts.insert(contact)
    return sendOData(reply, single(request, reply, contact), 201)
  })
  mailboxRoute(scope, 'GET', '/contacts/:id', config, (request, reply) => {
    return sendOData(reply, single(request, reply, findContact(context, request)))
  })
  mailboxRoute(scope, 'PATCH', '/contacts/:id', config, (request, reply) => {
    const contact = findContact(context, request)
    applyContactInput(contact, readContactInput(request.body))
    Object.assign(contact, {
      lastModifiedDateTime: new Date().toISOString(),
      changeKey: newChangeKey(),
    })
    context.mail.contacts.update(contact)
    return sendOData(reply, single(request, reply, contact))
  })
  mailboxRoute(scope, 'DELETE', '/contacts/:id', config, (request, reply) => {
    context.mail.contacts.delete(findContact(context, request))
    return reply.code(204).send()
  })
}

function findContact(context: EmulatorContext, request: FastifyRequest): ContactRecord {
  const contact = context.mail.contacts.get(
    owner(request).id,
    (request.params as { id: string }).id,
  )
  if (!contact)
    throw new GraphError(
      404,
      'ErrorItemNotFound',
      'The specified object was not found in the store.',
    )
  return contact
}

function newContact(user: User, now: string): ContactRecord {
  const contact: ContactRecord = {
    id: newId(),
    immutableId: newImmutableId(),
    mailbox: user.id,
    displayName: '',
    createdDateTime: now,
    lastModifiedDateTime: now,
    changeKey: newChangeKey(),
    parentFolderId: 'AQMk' + Buffer.from(`${user.id}/contacts`).toString('base64url'),
    fileAs: '',
    personalNotes: '',
  }
  return contact
}

/** The Graph contact; `select` keeps those properties plus the etag and id. */
function contactView(contact: ContactRecord, immutable: boolean, selected?: string[]) {
  const id = immutable ? contact.immutableId : contact.id
  const value = (name: string) =>
    name === 'id' ? id : (contact[name] ?? (LISTS.has(name) ? [] : ADDRESSES.has(name) ? {} : null))
  const names = selected ?? CONTACT_PROPERTIES
  const view: Record<string, unknown> = { '@odata.etag': `W/"${contact.changeKey as string}"`, id }
  for (const name of names) view[name] = value(name)
  return view
}

function single(request: FastifyRequest, reply: FastifyReply, contact: ContactRecord) {
  const selected = select(request, CONTACT_PROPERTIES, 'contact')
  return {
    '@odata.context': metadataUrl(request, `users('${contact.mailbox}')/contacts/$entity`),
    ...contactView(contact, wantsImmutableIds(request, reply), selected),
  }
}

function listContacts(context: EmulatorContext, request: FastifyRequest, reply: FastifyReply) {
  const user = owner(request)
  for (const name of ['filter', 'search', 'expand'])
    if (option(request, name) !== undefined)
      throw new GraphError(400, 'BadRequest', `The emulator does not support $${name} on contacts.`)
  const selected = select(request, CONTACT_PROPERTIES, 'contact')
  const immutable = wantsImmutableIds(request, reply)
  const [count, offset, order] = [top(request), skip(request), contactOrder(request)]
  const page = context.mail.contacts.list(user.id, order, count + 1, offset)
  const path = `users('${user.id}')/contacts`
  const body: Record<string, unknown> = {
    '@odata.context': metadataUrl(request, selected ? `${path}(${selected.join(',')})` : path),
  }
  if (countOption(request)) body['@odata.count'] = context.mail.contacts.count(user.id)
  body.value = page.slice(0, count).map((contact) => contactView(contact, immutable, selected))
  if (page.length > count) body['@odata.nextLink'] = nextLink(request, offset + count)
  return sendOData(reply, body)
}

function contactOrder(request: FastifyRequest): ContactOrder {
  const raw = option(request, 'orderby')?.trim()
  if (!raw) return { field: null, descending: false }
  const [field = '', direction = 'asc', extra] = raw.split(/\s+/)
  const name = ['displayName', 'createdDateTime'].find(
    (known) => known.toLowerCase() === field.toLowerCase(),
  )
  if (!name || extra !== undefined || !/^(asc|desc)$/i.test(direction)) {
    throw new GraphError(
      400,
      'BadRequest',
      `The $orderby value '${raw}' is not supported: use displayName or createdDateTime, asc or desc.`,
    )
  }
  return { field: name as ContactOrder['field'], descending: direction.toLowerCase() === 'desc' }
}

/** A contact body → its properties in canonical case, checked; read-only ones ignored, unknown ones refused. */
export function readContactInput(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw bodyError(
      "An unexpected 'PrimitiveValue' node was found when reading from the JSON reader. A 'StartObject' node was expected.",
    )
  const result: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(body)) {
    if (key.startsWith('@')) continue
    const name = CANONICAL.get(key.toLowerCase())
    if (!name) throw unknownProperty(key, 'contact')
    if (READ_ONLY.includes(name)) continue
    result[name] = value === null ? null : readValue(WRITABLE[name]!, value)
  }
  return result
}

function applyContactInput(contact: ContactRecord, input: Record<string, unknown>): void {
  Object.assign(contact, input)
  const named = ['givenName', 'middleName', 'surname'].some((name) => name in input)
  if (typeof input.displayName === 'string') contact.displayName = input.displayName
  else if (named || !contact.displayName)
    contact.displayName = [contact.givenName, contact.middleName, contact.surname]
      .filter((part) => typeof part === 'string' && part !== '')
      .join(' ')
}

function readValue(kind: Kind, value: unknown): unknown {
  if (kind === 'string') return text(value)
  if (kind === 'date') {
    if (typeof value !== 'string' || Number.isNaN(Date.parse(value)))
      throw bodyError(
        `Cannot convert the literal '${String(value)}' to the expected type 'Edm.DateTimeOffset'.`,
      )
    return new Date(value).toISOString().replace('.000Z', 'Z')
  }
  if (kind === 'address') {
    const names = ['street', 'city', 'state', 'countryOrRegion', 'postalCode']
    return fields(value, names, 'physicalAddress', (item) => text(item))
  }
  if (!Array.isArray(value))
    throw bodyError("An unexpected 'StartObject' node was found. A 'StartArray' node was expected.")
  if (kind === 'strings') return value.map(text)
  return value.map((item) => {
    const email = fields(item, ['address', 'name'], 'emailAddress', (part) => text(part))
    const address = String(email.address ?? '')
    return { address, name: String(email.name ?? address) }
  })
}

function fields(
  value: unknown,
  names: string[],
  type: string,
  read: (item: unknown) => unknown,
): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bodyError(
      `Cannot convert the literal '${String(value)}' to the expected type 'microsoft.graph.${type}'.`,
    )
  const known = new Map(names.map((name) => [name.toLowerCase(), name]))
  const result: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) {
    if (key.startsWith('@')) continue
    const name = known.get(key.toLowerCase())
    if (!name) throw unknownProperty(key, type)
    if (item !== null) result[name] = read(item)
  }
  return result
}

const bodyError = (message: string) => new GraphError(400, 'RequestBodyRead', message)
const unknownProperty = (name: string, type: string) =>
  bodyError(
    `The property '${name}' does not exist on type 'microsoft.graph.${type}'. Make sure to only use property ` +
      'names that are defined by the type or mark the type as open type.',
  )

function text(value: unknown): string {
  if (typeof value !== 'string')
    throw bodyError(
      `Cannot convert the literal '${String(value)}' to the expected type 'Edm.String'.`,
    )
  return value
}
