/**
 * checkListenHost, isLoopbackHost: the emulator listens on loopback unless told otherwise explicitly, since whoever
 * reaches it gets tokens for its demo users with the demo secret it publishes; exposed, it warns.
 */
import { isIP } from 'node:net'
import { isLoopback } from './control/loopback-only.ts'

/** `localhost`, 127.0.0.0/8, ::1 (also bracketed or IPv4-mapped); not `0.0.0.0`, `::` or any other name. */
export function isLoopbackHost(host: string): boolean {
  const address = host.replace(/^\[(.*)\]$/, '$1')
  return host.toLowerCase() === 'localhost' || (isIP(address) !== 0 && isLoopback(address))
}

/** listen() on an address beyond loopback without `allowNonLoopback: true`. */
export class NonLoopbackListenError extends Error {
  readonly code = 'ERR_EMULATOR_NOT_LOOPBACK'
  constructor(host: string) {
    super(
      `The emulator listens on loopback only (localhost, 127.0.0.1, ::1), not on '${host}': anyone who reaches it gets tokens for its demo users with its public demo secret. To expose it anyway, call listen({ host, allowNonLoopback: true }) and list the names its clients use in buildEmulator({ allowedHosts }).`,
    )
    this.name = 'NonLoopbackListenError'
  }
}

/**
 * Throws NonLoopbackListenError for an address beyond loopback unless `allowNonLoopback`; answers the warning to give
 * once listening there (undefined on loopback).
 */
export function checkListenHost(host: string, allowNonLoopback: boolean): string | undefined {
  if (isLoopbackHost(host)) return undefined
  if (!allowNonLoopback) throw new NonLoopbackListenError(host)
  return `The emulator listens on '${host}', beyond loopback: anyone who reaches it gets tokens for its demo users with its public demo secret, and reads and sends their mail. Its control API still answers loopback clients only.`
}
