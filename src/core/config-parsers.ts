/** Small parsers for loadConfig: each returns a value or records a problem with its fix. */
import type { ConfigProblem } from './errors.ts'

export type Env = Record<string, string | undefined>

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1'])

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname.toLowerCase()) || /^127(\.\d{1,3}){3}$/.test(hostname)
}

/** Reads settings from env and collects every problem instead of stopping at the first. */
export class SettingsReader {
  readonly problems: ConfigProblem[] = []
  readonly env: Env

  constructor(env: Env) {
    this.env = env
  }

  problem(setting: string, message: string, fix: string): void {
    this.problems.push({ setting, message, fix })
  }

  /** The trimmed value, or undefined when unset or blank. */
  raw(setting: string): string | undefined {
    const value = this.env[setting]?.trim()
    return value ? value : undefined
  }

  string(setting: string, fallback: string): string {
    return this.raw(setting) ?? fallback
  }

  integer(setting: string, fallback: number, min: number, max: number, unit: string): number {
    const value = this.raw(setting)
    if (value === undefined) return fallback
    const number = /^\d+$/.test(value) ? Number(value) : Number.NaN
    if (!Number.isSafeInteger(number) || number < min || number > max) {
      this.problem(
        setting,
        `"${value}" is not a whole number of ${unit} between ${min} and ${max}.`,
        `Set ${setting} to a value like ${fallback}, or remove it to use the default (${fallback}).`,
      )
      return fallback
    }
    return number
  }

  /** A TCP port, 0 (any free port) to 65535. */
  port(setting: string, fallback: number): number {
    const value = this.raw(setting)
    if (value === undefined) return fallback
    const port = /^\d+$/.test(value) ? Number(value) : Number.NaN
    if (Number.isSafeInteger(port) && port <= 65535) return port
    this.problem(
      setting,
      `"${value}" is not a port number (0 to 65535).`,
      `Set ${setting} to a free port like ${fallback || 8000} (0: any free port), or remove it to use ${fallback}.`,
    )
    return fallback
  }

  boolean(setting: string, fallback: boolean): boolean {
    const value = this.raw(setting)?.toLowerCase()
    if (value === undefined) return fallback
    if (['true', '1', 'yes', 'on'].includes(value)) return true
    if (['false', '0', 'no', 'off'].includes(value)) return false
    this.problem(setting, `"${value}" is not a boolean.`, `Set ${setting} to true or false.`)
    return fallback
  }

  oneOf<T extends string>(setting: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(setting)
    if (value === undefined) return fallback
    const match = allowed.find((candidate) => candidate === value.toLowerCase())
    if (match) return match
    this.problem(
      setting,
      `"${value}" is not one of ${allowed.join(', ')}.`,
      `Set ${setting} to one of: ${allowed.join(', ')}.`,
    )
    return fallback
  }

  /** An absolute http(s) URL; http only for loopback hosts. Returns it without a trailing slash. */
  url(setting: string, fallback: string, example: string): URL | undefined {
    const value = this.raw(setting) ?? fallback
    let url: URL
    try {
      url = new URL(value)
    } catch {
      this.problem(
        setting,
        `"${value}" is not an absolute URL.`,
        `Set ${setting} to a URL like ${example}.`,
      )
      return undefined
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
      this.problem(
        setting,
        `"${value}" must use https:// (http:// is allowed only for localhost/127.0.0.1).`,
        `Set ${setting} to an https:// URL like ${example}.`,
      )
      return undefined
    }
    if (url.search || url.hash || url.username || url.password) {
      this.problem(
        setting,
        `"${value}" must not carry a query, a fragment or credentials.`,
        `Set ${setting} to a URL like ${example}.`,
      )
      return undefined
    }
    return url
  }
}

export function withoutTrailingSlash(url: URL): string {
  return url.href.replace(/\/+$/, '')
}

/** `true`/`false`, a hop count, or a comma-separated list of addresses/CIDRs (as Fastify's trustProxy takes). */
export function parseTrustProxy(reader: SettingsReader): boolean | number | string[] {
  const value = reader.raw('TRUST_PROXY')
  if (value === undefined || value.toLowerCase() === 'false') return false
  if (value.toLowerCase() === 'true') return true
  if (/^\d+$/.test(value)) return Number(value)
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
  const valid = entries.every(
    (entry) =>
      /^[0-9a-f.:]+(\/\d{1,3})?$/i.test(entry) ||
      ['loopback', 'linklocal', 'uniquelocal'].includes(entry),
  )
  if (entries.length && valid) return entries
  reader.problem(
    'TRUST_PROXY',
    `"${value}" is not true, false, a hop count or a list of addresses/CIDRs.`,
    'Set TRUST_PROXY to false (no proxy), the number of proxies in front of the app, or e.g. 10.0.0.0/8,loopback.',
  )
  return false
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}
