/** Graph's permission checks: which scopes or roles satisfy a need, and the 403s when none does. */
import type { GraphAuth } from './authenticate.ts'
import { GraphError } from './graph-error.ts'

// Which permissions satisfy a need; broader permissions imply narrower ones, as in Graph's permission reference.
const IMPLIED: Record<string, string[]> = {
  'user.read': [
    'user.read',
    'user.readwrite',
    'user.readbasic.all',
    'user.read.all',
    'user.readwrite.all',
    'directory.read.all',
    'directory.readwrite.all',
  ],
  'user.read.all': [
    'user.readbasic.all',
    'user.read.all',
    'user.readwrite.all',
    'directory.read.all',
    'directory.readwrite.all',
  ],
  'mail.read': ['mail.read', 'mail.readwrite', 'mail.readbasic', 'mail.readbasic.all'],
  'mail.readwrite': ['mail.readwrite'],
  'mail.send': ['mail.send'],
  // Listing users: User.ReadBasic.All or broader (delegated), User.Read.All or broader (application).
  'user.readbasic.all': [
    'user.readbasic.all',
    'user.read.all',
    'user.readwrite.all',
    'directory.read.all',
    'directory.readwrite.all',
  ],
  'calendars.read': ['calendars.read', 'calendars.readwrite'],
  'calendars.readwrite': ['calendars.readwrite'],
  'contacts.read': ['contacts.read', 'contacts.readwrite'],
  'contacts.readwrite': ['contacts.readwrite'],
  'mailboxsettings.read': ['mailboxsettings.read', 'mailboxsettings.readwrite'],
  'mailboxsettings.readwrite': ['mailboxsettings.readwrite'],
}

/** A permission need of a route, as the table above names it. */
export type PermissionNeed = keyof typeof IMPLIED

export function hasPermission(auth: GraphAuth, need: PermissionNeed): boolean {
  return IMPLIED[need]!.some((permission) => auth.permissions.has(permission))
}

/** Outlook's answer when a mail permission is missing. */
export function accessDenied(): GraphError {
  return new GraphError(
    403,
    'ErrorAccessDenied',
    'Access is denied. Check credentials and try again.',
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

export function requireMail(
  auth: GraphAuth,
  need: 'mail.read' | 'mail.readwrite' | 'mail.send',
): void {
  requireSomePermission(auth)
  if (!hasPermission(auth, need)) throw accessDenied()
}

/**
 * The one permission check of an Outlook (calendar, contacts, mailbox settings) or directory route: Outlook answers
 * 403 ErrorAccessDenied, the directory 403 Authorization_RequestDenied.
 */
export function requirePermission(
  auth: GraphAuth,
  need: PermissionNeed,
  service: 'outlook' | 'directory' = 'outlook',
): void {
  requireSomePermission(auth)
  if (hasPermission(auth, need)) return
  if (service === 'outlook') throw accessDenied()
  throw new GraphError(
    403,
    'Authorization_RequestDenied',
    'Insufficient privileges to complete the operation.',
  )
}
