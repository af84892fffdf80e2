/**
 * userListRoutes: GET /users (paged by `$top` ≤ 999, default 100, `@odata.nextLink` with `$skiptoken`; `$select`,
 * `$orderby` displayName / userPrincipalName, `$filter` on the common properties, `$count`) and GET /users/$count, with
 * the directory's rule that advanced queries need `ConsistencyLevel: eventual` and `$count=true`. Needs
 * User.ReadBasic.All (delegated) or User.Read.All (application), else 403 Authorization_RequestDenied.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../context.ts'
import type { User } from '../state/directory.ts'
import { GraphError } from './graph-error.ts'
import { mailboxSettings } from './mailbox-settings.ts'
import { isNavigation, propertyType } from './metadata/graph-types.ts'
import { baseUrl, countOption, metadataUrl, option, select, sendOData } from './odata.ts'
import { authorizeAlso } from './permissions.ts'
import { DEFAULT_PROPERTIES, KNOWN, userValues } from './user-routes.ts'
import { checkUserFilter, matchesFilter, readUserFilter } from './user-filter.ts'

const DEFAULT_PAGE = 100
const MAX_PAGE = 999
const SKIPTOKEN_PREFIX = 'RFNwdAIAAQAAA'

const unsupported = (message: string) => new GraphError(400, 'Request_UnsupportedQuery', message)

export function userListRoutes(scope: FastifyInstance, context: EmulatorContext): void {
  scope.get('/users', (request, reply) => {
    return listUsers(context, request, reply)
  })
  scope.get('/users/$count', (request, reply) => {
    if (!eventual(request)) {
      throw unsupported(
        "Raw count (/$count) is not supported because the 'ConsistencyLevel:eventual' header is missing. " +
          'Refer to https://aka.ms/graph-docs/advanced-queries for more information',
      )
    }
    const users = matching(context, request, true)
    return reply.header('content-type', 'text/plain').send(String(users.length))
  })
}

const eventual = (request: FastifyRequest) =>
  String(request.headers.consistencylevel ?? '').toLowerCase() === 'eventual'

/** The users the request's `$filter` keeps, in directory order. */
function matching(context: EmulatorContext, request: FastifyRequest, advanced: boolean): User[] {
  const text = option(request, 'filter')
  const users = context.directory.listUsers()
  if (text === undefined || text.trim() === '') return users
  const filter = readUserFilter(text)
  checkUserFilter(filter, advanced, eventual(request))
  return users.filter((user) => matchesFilter(filter, userValues(user)))
}

function listUsers(context: EmulatorContext, request: FastifyRequest, reply: FastifyReply) {
  for (const name of ['search', 'expand'])
    if (option(request, name) !== undefined)
      throw new GraphError(400, 'BadRequest', `The emulator does not support $${name} on users.`)
  const counted = countOption(request)
  if (counted && !eventual(request))
    throw new GraphError(400, 'Request_BadRequest', '$count is not currently supported.')
  const advanced = counted && eventual(request)
  const selected = select(request, KNOWN, 'user')
  const users = sortUsers(request, matching(context, request, advanced), advanced)
  const [size, offset] = [pageSize(request), skipToken(request)]
  const page = users.slice(offset, offset + size)
  const body: Record<string, unknown> = {
    '@odata.context': metadataUrl(request, selected ? `users(${selected.join(',')})` : 'users'),
  }
  if (counted) body['@odata.count'] = users.length
  if (selected?.includes('mailboxSettings')) authorizeAlso(request, 'GET', 'mailboxsettings')
  body.value = page.map((user) => userEntry(context, user, selected))
  if (offset + size < users.length) body['@odata.nextLink'] = nextLink(request, offset + size)
  return sendOData(reply, body)
}

function userEntry(context: EmulatorContext, user: User, selected: string[] | undefined) {
  const values = userValues(user)
  if (selected?.includes('mailboxSettings'))
    values.mailboxSettings = mailboxSettings(user, context.mail.settings.changed(user.id))
  const entry: Record<string, unknown> = {}
  for (const name of selected ?? DEFAULT_PROPERTIES) {
    if (isNavigation('user', name)) continue // they come only with $expand
    entry[name] = values[name] ?? (propertyType('user', name)?.collection ? [] : null)
  }
  return entry
}

/** `$orderby=displayName` or `userPrincipalName` (asc/desc); with a `$filter`, only in an advanced query. */
function sortUsers(request: FastifyRequest, users: User[], advanced: boolean): User[] {
  const raw = option(request, 'orderby')?.trim()
  if (!raw) return users
  const [field = '', direction = 'asc', extra] = raw.split(/\s+/)
  const name = ['displayName', 'userPrincipalName'].find(
    (known) => known.toLowerCase() === field.toLowerCase(),
  ) as 'displayName' | 'userPrincipalName' | undefined
  const filtered = (option(request, 'filter') ?? '').trim() !== ''
  if (!name || extra !== undefined || !/^(asc|desc)$/i.test(direction) || (filtered && !advanced))
    throw unsupported('Sorting not supported for current query.')
  const sign = direction.toLowerCase() === 'desc' ? -1 : 1
  return [...users].sort(
    (a, b) => sign * a[name].localeCompare(b[name], 'en', { sensitivity: 'base' }),
  )
}

function pageSize(request: FastifyRequest): number {
  const raw = option(request, 'top')
  if (raw === undefined) return DEFAULT_PAGE
  const size = /^\d+$/.test(raw.trim()) ? Number(raw) : NaN
  if (!(size >= 1 && size <= MAX_PAGE))
    throw unsupported(
      `Invalid page size specified: '${raw}'. Must be between 1 and ${MAX_PAGE} inclusive.`,
    )
  return size
}

/** The offset a `$skiptoken` of ours carries; anything else is an expired token, as the directory says. */
function skipToken(request: FastifyRequest): number {
  const raw = option(request, 'skiptoken')
  if (raw === undefined) return 0
  const decoded = raw.startsWith(SKIPTOKEN_PREFIX)
    ? Buffer.from(raw.slice(SKIPTOKEN_PREFIX.length), 'base64url').toString()
    : ''
  const match = /^users:(\d{1,9})$/.exec(decoded)
  if (!match) {
    throw new GraphError(
      400,
      'Directory_ExpiredPageToken',
      'The specified page token value has expired and can no longer be included in your request.',
    )
  }
  return Number(match[1])
}

function nextLink(request: FastifyRequest, offset: number): string {
  const url = new URL(request.url, baseUrl(request))
  for (const key of [...url.searchParams.keys()])
    if (/^\$?skiptoken$/i.test(key)) url.searchParams.delete(key)
  const token = SKIPTOKEN_PREFIX + Buffer.from(`users:${offset}`).toString('base64url')
  url.searchParams.set('$skiptoken', token)
  return `${baseUrl(request)}${url.pathname}?${url.searchParams.toString().replace(/%24/g, '$')}`
}
