/** `SessionData`: what a session keeps (its CSRF token, the signed-in user, a flash); `isSessionUser`. */
import type { SignedInUser } from '../../core/index.ts'

/** The signed-in user the session keeps: core's user, and what this sign-in owns. */
export interface SessionUser {
  /** Who signed in, as core's completeSignIn returned it. */
  account: SignedInUser
  /** Token-cache partition of this sign-in (random, never the user id). */
  partition: string
  /** A profile photo was kept at sign-in (under `photo:<partition>`). */
  hasPhoto: boolean
}

/** A message shown once, on the next page. */
export interface Flash {
  kind: 'success' | 'error' | 'warning'
  /** Already translated lines (escaped at render). */
  lines: string[]
  /** Field errors: field name → message. */
  fieldErrors?: Record<string, string>
  /** The form as typed, given back after a failed send. */
  form?: Record<string, string>
}

/** The stored record of a session. */
export interface SessionData {
  /** Unix milliseconds: the absolute timeout counts from here. */
  createdAt: number
  /** Unix milliseconds: the idle timeout counts from here. */
  lastSeenAt: number
  /** The synchronizer token of the session's forms (SE-06). */
  csrf: string
  user?: SessionUser
  flash?: Flash
}

/** The shape this app writes; a stored user of any other shape is not a signed-in user. */
export function isSessionUser(value: unknown): value is SessionUser {
  if (typeof value !== 'object' || value === null) return false
  const { account, partition, hasPhoto } = value as Partial<SessionUser>
  if (typeof partition !== 'string' || typeof hasPhoto !== 'boolean') return false
  if (typeof account !== 'object' || account === null) return false
  return (
    typeof account.homeAccountId === 'string' &&
    typeof account.oid === 'string' &&
    typeof account.tid === 'string' &&
    typeof account.name === 'string' &&
    typeof account.username === 'string' &&
    (account.email === undefined || typeof account.email === 'string') &&
    (account.scopes === undefined ||
      (Array.isArray(account.scopes) && account.scopes.every((scope) => typeof scope === 'string')))
  )
}
