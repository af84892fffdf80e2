/**
 * `node --import ./real-hosts-preload.ts cli.js` with REAL_HOSTS_PORT=<port>: login.microsoftonline.com and
 * graph.microsoft.com dial 127.0.0.1:<port> for node:https (axios, msal-node's own HTTP client) and for the global
 * fetch, as a hosts entry plus a listener on 443 would; the name, SNI and certificate check stay the real ones (trust
 * comes from NODE_EXTRA_CA_CERTS). Every other name is refused and written to REAL_HOSTS_REFUSED (a file), so a test
 * can prove that the program called nothing else (telemetry, update checks). For programs that cannot be given another
 * authority or Graph URL (CLI for Microsoft 365).
 */
import { appendFileSync } from 'node:fs'
import http, { type ClientRequestArgs } from 'node:http'
import https from 'node:https'
import { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { setGlobalDispatcher } from 'undici'
import { loopbackDispatcher } from '../../../src/emulator/tls/loopback-dispatcher.ts'

const port = Number(process.env.REAL_HOSTS_PORT)
const NAMES = new Set(['login.microsoftonline.com', 'graph.microsoft.com'])

function refuse(name: string): Socket {
  if (process.env.REAL_HOSTS_REFUSED) appendFileSync(process.env.REAL_HOSTS_REFUSED, `${name}\n`)
  const socket = new Socket()
  process.nextTick(() => socket.destroy(new Error(`real-hosts preload: ${name} is not reachable`)))
  return socket
}

type Callback = (error: Error | null, socket: Duplex) => void

const nameOf = (options: ClientRequestArgs) =>
  String(options.hostname ?? options.host ?? '').toLowerCase()

class RealHostsAgent extends https.Agent {
  override createConnection(options: ClientRequestArgs, callback?: Callback) {
    const name = nameOf(options)
    if (!NAMES.has(name)) return refuse(name)
    // https.Agent's own connection (tls.connect) with the address changed and the name (SNI, certificate) kept.
    return super.createConnection(
      { ...options, host: '127.0.0.1', port, servername: name },
      callback,
    )
  }
}

class RefusingAgent extends http.Agent {
  override createConnection(options: ClientRequestArgs) {
    return refuse(nameOf(options))
  }
}

https.globalAgent = new RealHostsAgent({ keepAlive: true })
http.globalAgent = new RefusingAgent()
setGlobalDispatcher(loopbackDispatcher({ port }))
