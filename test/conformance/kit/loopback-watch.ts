/**
 * watchOutboundHosts(): every host this process opens a connection to (global fetch through undici's diagnostics
 * channel, node:http/https through Node's), observed without changing any client, so a file can assert that its clients
 * called nothing but the emulator on loopback (no instance discovery, no telemetry).
 */
import diagnostics from 'node:diagnostics_channel'

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]'])

export interface OutboundWatch {
  /** Every host name or address connected to, in order. */
  hosts: string[]
  /** The hosts that are not loopback. */
  beyondLoopback(): string[]
  stop(): void
}

export function watchOutboundHosts(): OutboundWatch {
  const hosts: string[] = []
  const onUndici = (message: unknown) => {
    const params = (message as { connectParams?: { hostname?: string } }).connectParams
    hosts.push(params?.hostname ?? '?')
  }
  const onHttp = (message: unknown) => {
    const request = (message as { request?: { host?: string } }).request
    hosts.push(request?.host ?? '?')
  }
  diagnostics.subscribe('undici:client:beforeConnect', onUndici)
  diagnostics.subscribe('http.client.request.start', onHttp)
  return {
    hosts,
    beyondLoopback: () => hosts.filter((host) => !LOOPBACK.has(host.toLowerCase())),
    stop() {
      diagnostics.unsubscribe('undici:client:beforeConnect', onUndici)
      diagnostics.unsubscribe('http.client.request.start', onHttp)
    },
  }
}
