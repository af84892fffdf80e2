/** OData query options as Graph reads them for mail: $top, $skip, $select, $orderby, $count; base URLs and nextLink. */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { GraphError, ODATA_JSON } from './graph-error.ts'
import type { OrderBy } from './mail-store.ts'
import {
  graphType,
  isNavigation,
  propertyType,
  selectableProperties,
  unknownPropertyError,
} from './metadata/graph-types.ts'

type Query = Record<string, string | undefined>

/** A Graph JSON answer: OData's content type and version. */
export function sendOData(reply: FastifyReply, body: unknown, status = 200): FastifyReply {
  return reply
    .code(status)
    .header('content-type', ODATA_JSON)
    .header('odata-version', '4.0')
    .send(JSON.stringify(body))
}

/** Scheme + host the client used (host-agnostic: localhost, 127.0.0.1 or graph.microsoft.com in real-hostname mode). */
export const baseUrl = (request: FastifyRequest) => `${request.protocol}://${request.host}`

/** `/v1.0` or `/beta`, from the route's prefix. */
export const versionOf = (request: FastifyRequest) =>
  request.url.startsWith('/beta') ? '/beta' : '/v1.0'

export const metadataUrl = (request: FastifyRequest, fragment: string) =>
  `${baseUrl(request)}${versionOf(request)}/$metadata#${fragment}`

const query = (request: FastifyRequest) => request.query as Query
// Graph accepts the options with or without `$` (`top=5`), and any case.
export function option(request: FastifyRequest, name: string): string | undefined {
  const values = query(request)
  for (const [key, value] of Object.entries(values)) {
    const bare = key.replace(/^\$/, '').toLowerCase()
    if (bare === name) return Array.isArray(value) ? String(value[0]) : value
  }
  return undefined
}

function integer(request: FastifyRequest, name: string, fallback: number, max: number): number {
  const raw = option(request, name)
  if (raw === undefined) return fallback
  if (!/^\d+$/.test(raw.trim()) || Number(raw) > max) {
    throw new GraphError(400, 'BadRequest', `Invalid value '${raw}' for query option '$${name}'.`)
  }
  return Number(raw)
}

/** `$count=true` (or false); another value is Graph's 400. */
export function countOption(request: FastifyRequest): boolean {
  const raw = option(request, 'count')
  if (raw === undefined) return false
  if (!/^(true|false)$/i.test(raw.trim()))
    throw new GraphError(400, 'BadRequest', `Invalid value '${raw}' for query option '$count'.`)
  return raw.trim().toLowerCase() === 'true'
}

export const top = (request: FastifyRequest) => Math.max(1, integer(request, 'top', 10, 1000))
export const skip = (request: FastifyRequest) => integer(request, 'skip', 0, 1_000_000)

/**
 * `$select=a,b` → ['a', 'b'] in canonical case, or undefined for none (or `*`). The names a type accepts are those
 * Graph's metadata declares for it (graph-types.json, structural and navigation properties); `known` serves types
 * outside that subset. An undeclared name is Graph's 400, worded by the service behind the type.
 */
export function select(request: FastifyRequest, type: string): string[] | undefined
export function select(request: FastifyRequest, known: string[], type: string): string[] | undefined
export function select(
  request: FastifyRequest,
  knownOrType: string[] | string,
  maybeType?: string,
): string[] | undefined {
  const type = typeof knownOrType === 'string' ? knownOrType : maybeType!
  const raw = option(request, 'select')
  if (raw === undefined || raw.trim() === '' || raw.trim() === '*') return undefined
  const known = graphType(type)
    ? selectableProperties(type)
    : typeof knownOrType === 'string'
      ? []
      : knownOrType
  const canonical = new Map(known.map((name) => [name.toLowerCase(), name]))
  return raw.split(',').map((part) => {
    const name = canonical.get(part.trim().toLowerCase())
    if (!name) throw unknownPropertyError(type, part.trim())
    return name
  })
}

/**
 * The view narrowed to the request's `$select` (annotations and id kept, as Graph does); unset properties are null,
 * unset collections empty; navigation properties come only with $expand. The whole view without `$select`.
 */
export function selectView<T extends object>(
  request: FastifyRequest,
  type: string,
  view: T,
): T | Record<string, unknown> {
  const names = select(request, type)
  if (!names) return view
  const values = view as Record<string, unknown>
  const picked: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(values))
    if (key.startsWith('@') || key === 'id') picked[key] = value
  for (const name of names) {
    if (isNavigation(type, name)) continue
    picked[name] = values[name] ?? (propertyType(type, name)?.collection ? [] : null)
  }
  return picked
}

const ORDER_FIELDS = new Map([
  ['receiveddatetime', 'receivedDateTime'],
  ['sentdatetime', 'sentDateTime'],
  ['subject', 'subject'],
] as const)

export function orderBy(request: FastifyRequest): OrderBy {
  const raw = option(request, 'orderby')
  if (raw === undefined || raw.trim() === '') return { field: 'receivedDateTime', descending: true }
  const [field = '', direction = 'asc', extra] = raw.trim().split(/\s+/)
  const name = ORDER_FIELDS.get(field.toLowerCase() as never)
  if (!name || extra !== undefined || !/^(asc|desc)$/i.test(direction)) {
    throw new GraphError(
      400,
      'BadRequest',
      `The $orderby value '${raw}' is not supported: use receivedDateTime, sentDateTime or subject, asc or desc.`,
    )
  }
  return { field: name, descending: direction.toLowerCase() === 'desc' }
}

/** Same request with `$skip` advanced; other options kept verbatim. */
export function nextLink(request: FastifyRequest, nextSkip: number): string {
  const url = new URL(request.url, baseUrl(request))
  for (const key of [...url.searchParams.keys()])
    if (/^\$?skip$/i.test(key)) url.searchParams.delete(key)
  url.searchParams.set('$skip', String(nextSkip))
  return `${baseUrl(request)}${url.pathname}?${url.searchParams.toString().replace(/%24/g, '$')}`
}
