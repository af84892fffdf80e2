/**
 * loopbackDispatcher: an undici dispatcher for Node's global fetch that resolves the real Microsoft names to 127.0.0.1
 * and dials the emulator's port, as a hosts entry plus a listener on 443 would, in process.
 */
import type { LookupAddress, LookupOptions } from 'node:dns'
import { Agent, buildConnector } from 'undici'
import { GRAPH_HOST, LOGIN_HOST } from './real-hosts.ts'

export interface LoopbackDispatcherOptions {
  /** Where the emulator listens on 127.0.0.1. */
  port: number
  /** Trust only this CA (else Node's default trust, which includes NODE_EXTRA_CA_CERTS). */
  ca?: string
  /** Default: login.microsoftonline.com, graph.microsoft.com. */
  names?: readonly string[]
  /** Every mapped name resolution, for assertions. */
  lookups?: { hostname: string; address: string }[]
  /** Default 'refuse'. */
  otherNames?: 'refuse' | 'pass'
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void

/**
 * msal-node 7 calls the global fetch with no options, so this is the seam a user has too. Other names are refused by
 * default (tests: nothing can leave loopback), or passed through untouched as a hosts file would (`otherNames: 'pass'`,
 * the preload).
 */
export function loopbackDispatcher(options: LoopbackDispatcherOptions): Agent {
  const {
    port,
    ca,
    names = [LOGIN_HOST, GRAPH_HOST],
    lookups = [],
    otherNames = 'refuse',
  } = options
  const mapped = new Set(names.map((name) => name.toLowerCase()))
  const lookup = (hostname: string, options: LookupOptions, callback: LookupCallback) => {
    if (!mapped.has(hostname.toLowerCase())) {
      return callback(
        Object.assign(new Error(`loopback dispatcher: refusing to resolve ${hostname}`), {
          code: 'ENOTFOUND',
        }),
        '',
      )
    }
    lookups.push({ hostname, address: '127.0.0.1' })
    return options.all
      ? callback(null, [{ address: '127.0.0.1', family: 4 }])
      : callback(null, '127.0.0.1', 4)
  }
  const connector = buildConnector({ ...(ca ? { ca } : {}), lookup } as buildConnector.BuildOptions)
  const direct = buildConnector({})
  return new Agent({
    connect(target, callback) {
      if (mapped.has(target.hostname.toLowerCase())) {
        // Same hostname (SNI, certificate check and Host header stay the real name); only the port is the emulator's.
        return connector({ ...target, port: String(port) }, callback)
      }
      if (otherNames === 'pass') return direct(target, callback)
      return callback(
        new Error(
          `loopback dispatcher: ${target.protocol}//${target.hostname} is not mapped to the emulator`,
        ),
        null,
      )
    },
  })
}
