/**
 * Graph's permission check, from Microsoft's catalogue: authorizeRoute (the Graph scope's preHandler: every route, by
 * method and route template), catalogueRoute (a route template as the catalogue writes it), accessDenied and the 403s.
 */
import type { FastifyRequest } from 'fastify'
import { grantingPermissions } from '../identity/permissions/catalogue.ts'
import type { GraphAuth } from './authenticate.ts'
import { GraphError } from './graph-error.ts'
import { graphRequest } from './graph-request.ts'

/** Outlook's answer when a permission is missing (mail, calendars, contacts, mailbox settings). */
export function accessDenied(): GraphError {
  return new GraphError(
    403,
    'ErrorAccessDenied',
    'Access is denied. Check credentials and try again.',
  )
}

/** The directory's answer (users, their profile and photo). */
export function insufficientPrivileges(): GraphError {
  return new GraphError(
    403,
    'Authorization_RequestDenied',
    'Insufficient privileges to complete the operation.',
  )
}

/** App-only tokens without any role get this instead of a per-permission answer. */
export function requireSomePermission(auth: GraphAuth): void {
  if (auth.permissions.size === 0 || (auth.permissions.size === 1 && auth.permissions.has(''))) {
    throw new GraphError(
      403,
      'NoPermissionsInAccessToken',
      'The token contains no permissions, or permissions can not be understood.',
    )
  }
}

/**
 * `/v1.0/users/:user/messages/:id/microsoft.graph.send` → `/users/{id}/messages/{id}/send`: no version, lower case,
 * every parameter `{id}`, actions without their namespace.
 */
export function catalogueRoute(url: string): string {
  return url
    .replace(/^\/(v1\.0|beta)(?=\/|$)/i, '')
    .split('/')
    .map((segment) =>
      segment.startsWith(':') ? '{id}' : segment.toLowerCase().replace(/^microsoft\.graph\./, ''),
    )
    .join('/')
}

/**
 * The catalogue paths that answer for a route: itself, then its entity without `/$value` (or its collection without
 * `/$count`), then its collection.
 */
function candidates(path: string): string[] {
  const out = [path]
  const media = /\/\$(value|count)$/.test(path) ? path.replace(/\/\$(value|count)$/, '') : path
  if (media !== path) out.push(media)
  if (media.endsWith('/{id}')) out.push(media.slice(0, -'/{id}'.length))
  return out
}

/**
 * Allowed when the token holds one of the permissions the catalogue lists for the route's method and path, in the
 * token's scheme (delegated `scp`, application `roles`):
 * - a delegated call on `/users/{id}/…` for the signed-in user is looked up as `/me/…`; for another user only the
 *   `.All` and `.Shared` permissions count (the others, such as User.Read or Mail.Read, cover the user's own data);
 * - a route the catalogue does not list falls back to its entity without `/$value` (media content reads as the entity),
 *   then, for a GET of `…/{collection}/{id}`, to the collection;
 * - refused: the directory's 403 on users and their photo, Outlook's elsewhere. `$batch` is checked per item;
 *   unknown routes get their 400 from the not-found handler.
 */
export function authorizeRoute(request: FastifyRequest): void {
  const url = request.routeOptions.url ?? ''
  if (request.is404 || url.endsWith('/$batch')) return
  authorizePath(request, request.method === 'HEAD' ? 'GET' : request.method, catalogueRoute(url))
}

/**
 * For a property that brings another resource's data (a user's `$select=mailboxSettings`): the permission of that
 * resource, `segment` under the user the route is about (`/me/…`, or `/users/{id}/…`, the list's users included).
 */
export function authorizeAlso(request: FastifyRequest, method: string, segment: string): void {
  const route = catalogueRoute(request.routeOptions.url ?? '')
  const base = route.startsWith('/me') ? '/me' : '/users/{id}'
  authorizePath(request, method, `${base}/${segment}`)
}

function authorizePath(request: FastifyRequest, method: string, catalogPath: string): void {
  const { auth, owner } = graphRequest(request)
  requireSomePermission(auth)
  let path = catalogPath
  const otherUser =
    auth.delegated && path.startsWith('/users/{id}') && owner?.id !== auth.claims.oid
  if (auth.delegated && !otherUser && path.startsWith('/users/{id}'))
    path = `/me${path.slice('/users/{id}'.length)}`
  const scheme = auth.delegated ? 'delegated' : 'application'
  const granting = candidates(path)
    .map((candidate) => grantingPermissions(method, candidate, scheme))
    .find((found) => found !== undefined)
  if (!granting) request.log.warn({ path, method }, 'no catalogue entry for this Graph route')
  const allowed = (granting ?? []).some(
    (name) =>
      (!otherUser || /\.(All|Shared)$/.test(name)) && auth.permissions.has(name.toLowerCase()),
  )
  if (!allowed) throw directoryPath(path) ? insufficientPrivileges() : accessDenied()
}

/** Users, the profile and its photo are the directory's; everything else under a user is Outlook's. */
const directoryPath = (path: string) => /^\/(me|users(\/\{id\})?)(\/photos?(\/.*)?)?$/.test(path)
