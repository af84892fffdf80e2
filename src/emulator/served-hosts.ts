/**
 * servedHosts, refuseOtherHosts, parseAllowedHosts, hostnameOf: the Host names the emulator answers, and 421 for the
 * others — against DNS rebinding, where a page of another site has its own name resolve to loopback.
 */
import { isIP } from 'node:net'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ResolvedOptions } from './options.ts'
import { GRAPH_HOST, LOGIN_HOST } from './tls/real-hosts.ts'

/** Served on every port, whatever the options: names and addresses that only ever mean this machine. */
export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'] as const

const HOW_TO_ADD =
  'To serve another name, list it in buildEmulator({ allowedHosts }) (EMULATOR_ALLOWED_HOSTS for the command line), or make it the host of publicUrl.'

/**
 * Host names (lower case, IPv6 in brackets, no port) the emulator answers: loopback, publicUrl's host, the names in
 * `allowedHosts`, and in real-hostname (TLS) mode login.microsoftonline.com and graph.microsoft.com.
 */
export function servedHosts(options: ResolvedOptions): Set<string> {
  const hosts = new Set<string>(LOOPBACK_HOSTS)
  if (options.publicUrl) hosts.add(new URL(options.publicUrl).hostname.toLowerCase())
  for (const host of parseAllowedHosts(options.allowedHosts)) hosts.add(host)
  if (options.tls) for (const host of [LOGIN_HOST, GRAPH_HOST]) hosts.add(host)
  return hosts
}

/**
 * Host names as allowedHosts takes them (an array, or a comma-separated string as in EMULATOR_ALLOWED_HOSTS): names or
 * IP addresses without scheme, port or path, every port being served. Throws, naming the entry, on anything else.
 */
export function parseAllowedHosts(value: readonly string[] | string | undefined): string[] {
  const entries =
    typeof value === 'string' ? value.split(',').filter((entry) => entry.trim()) : (value ?? [])
  return entries.map((entry) => {
    const trimmed = entry.trim()
    const host = canonicalHost(isIP(trimmed) === 6 ? `[${trimmed}]` : trimmed)
    if (host === undefined)
      throw new Error(
        `allowedHosts: '${entry}' is not a host name. Give names or IP addresses without scheme, port or path (e.g. emulator.test, 192.0.2.10, fd00::10): every port is served.`,
      )
    return host
  })
}

/** Registers, first of all hooks, the 421 Misdirected Request for any request whose Host is not served. */
export function refuseOtherHosts(fastify: FastifyInstance, hosts: ReadonlySet<string>): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const hostname = hostnameOf(request.headers.host)
    if (hostname !== undefined && hosts.has(hostname)) return done()
    misdirected(request, reply, hosts)
  })
}

function misdirected(request: FastifyRequest, reply: FastifyReply, hosts: ReadonlySet<string>) {
  const asked = request.headers.host
  const named = asked ? `'${asked.slice(0, 100)}'` : 'no host (no Host header)'
  const message = `This emulator does not serve ${named}; it answers ${[...hosts].join(', ')} (any port). ${HOW_TO_ADD}`
  reply
    .code(421)
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .send({ error: { code: 'MisdirectedRequest', message } })
}

/** The Host header's name: lower case, IPv6 in brackets, without port or a trailing dot; undefined when malformed. */
export function hostnameOf(host: string | undefined): string | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::\d{1,5})?$/.exec(host?.trim().toLowerCase() ?? '')
  return match ? canonicalHost(match[1]!) : undefined
}

/** 'Emulator.Test.' → 'emulator.test'; undefined unless a DNS name, an IPv4 address or a bracketed IPv6 address. */
function canonicalHost(name: string): string | undefined {
  const lower = name.toLowerCase().replace(/\.$/, '')
  return /^(\[[0-9a-f:.]+\]|[a-z0-9_-]+(\.[a-z0-9_-]+)*)$/.test(lower) ? lower : undefined
}
