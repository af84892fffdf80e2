/**
 * `readCliSettings`: the settings of the mail commands (login, send, messages…), read once from the environment and
 * .env and checked, every problem with its fix; `CliSettings`, `DEFAULT_EMULATOR_URL`.
 */
import { cliHome, isLoopbackHost, type ConfigProblem } from '../core/index.ts'
import type { Env } from './env.ts'

/** Where `npm start` and `npm run emulator` put the emulator. */
export const DEFAULT_EMULATOR_URL = 'http://localhost:8001'

export interface CliSettings {
  /** CLIENT_ID: a tenant's app registration; undefined → the emulator. */
  clientId: string | undefined
  /** AUTHORITY, no trailing slash, when set. */
  authority: string | undefined
  /** GRAPH_BASE_URL, no trailing slash, when set. */
  graphBaseUrl: string | undefined
  /** EMULATOR_URL: where the emulator is looked for (and started in process, if nothing answers). */
  emulatorUrl: string
  /** The emulator's data folder when started in process: data/emulator under the working directory, as npm start. */
  emulatorDataDir: string
  /** GRAPH_CONNECT_HOME, $XDG_CONFIG_HOME/graph-connect or ~/.config/graph-connect. */
  home: string
  /** Per request to the identity provider. */
  idpTimeoutMs: number
  /** Per Graph attempt (an upload range of 4 MB included) and for all attempts of one call. */
  graphTimeoutMs: number
  graphRetryBudgetMs: number
  /** GRAPH_CONNECT_MERGE_JOURNAL: a SQLite file (default merges.sqlite in home) or a postgres:// URL. */
  mergeJournal: string
  /** MERGE_LEASE_MS, MERGE_SETTLE_MS, MERGE_SETTLE_CHECKS, MERGE_ABANDONED_HOLD_MS, MERGE_POLL_MS when set. */
  mergeTiming: Readonly<Partial<MergeTimingSettings>>
}

/** The merge worker's timing settings (core's MergeTiming), each settable for tests that scale time. */
export interface MergeTimingSettings {
  leaseMs: number
  settleMs: number
  settleChecks: number
  abandonedHoldMs: number
  idlePollMs: number
}

const MERGE_TIMING_ENV: Record<string, keyof MergeTimingSettings> = {
  MERGE_LEASE_MS: 'leaseMs',
  MERGE_SETTLE_MS: 'settleMs',
  MERGE_SETTLE_CHECKS: 'settleChecks',
  MERGE_ABANDONED_HOLD_MS: 'abandonedHoldMs',
  MERGE_POLL_MS: 'idlePollMs',
}

/** The settings, or the problems found (each with its fix). */
export function readCliSettings(
  env: Env,
  cwd = process.cwd(),
): { settings: Readonly<CliSettings> } | { problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = []
  const url = (name: string, fix: string) => {
    const value = env[name]?.trim()
    if (!value) return undefined
    try {
      const parsed = new URL(value)
      if (parsed.protocol === 'https:' || parsed.protocol === 'http:')
        return value.replace(/\/+$/, '')
    } catch {
      // said below
    }
    problems.push({ setting: name, message: `"${value}" is not an http(s) URL.`, fix })
    return undefined
  }
  const clientId = env.CLIENT_ID?.trim() || undefined
  if (clientId && /\s/.test(clientId))
    problems.push({
      setting: 'CLIENT_ID',
      message: 'contains spaces.',
      fix: "Copy the Application (client) ID from the app registration's Overview page.",
    })
  const authority = url(
    'AUTHORITY',
    'Set AUTHORITY to e.g. https://login.microsoftonline.com/<tenant>.',
  )
  const graphBaseUrl = url(
    'GRAPH_BASE_URL',
    'Set GRAPH_BASE_URL to e.g. https://graph.microsoft.com/v1.0.',
  )
  const emulatorUrl =
    url(
      'EMULATOR_URL',
      `Set EMULATOR_URL to the emulator's address, e.g. ${DEFAULT_EMULATOR_URL}.`,
    ) ?? DEFAULT_EMULATOR_URL
  if (!isLoopbackHost(new URL(emulatorUrl).hostname))
    problems.push({
      setting: 'EMULATOR_URL',
      message: `(${emulatorUrl}) is not on this machine; the emulator answers on loopback only.`,
      fix: `Use http://localhost:<port>, or remove it for ${DEFAULT_EMULATOR_URL}.`,
    })
  const count = (name: string, min: number, max: number): number | undefined => {
    const value = env[name]?.trim()
    if (!value) return undefined
    const parsed = Number(value)
    if (Number.isInteger(parsed) && parsed >= min && parsed <= max) return parsed
    problems.push({
      setting: name,
      message: `"${value}" is not a whole number from ${min} to ${max}.`,
      fix: `Set ${name} to a number of ${name === 'MERGE_SETTLE_CHECKS' ? 'lookups' : 'milliseconds'} in that range, or remove it for the default.`,
    })
    return undefined
  }
  const graphTimeoutMs = count('GRAPH_TIMEOUT_MS', 100, 600_000) ?? 60_000
  const mergeTiming: Partial<MergeTimingSettings> = {}
  for (const [name, key] of Object.entries(MERGE_TIMING_ENV)) {
    const value = count(
      name,
      key === 'settleChecks' ? 1 : 10,
      key === 'settleChecks' ? 20 : 3_600_000,
    )
    if (value !== undefined) mergeTiming[key] = value
  }
  const mergeJournal = env.GRAPH_CONNECT_MERGE_JOURNAL?.trim() || undefined
  if (problems.length) return { problems }
  const home = cliHome(env)
  return {
    settings: Object.freeze({
      clientId,
      authority,
      graphBaseUrl,
      emulatorUrl,
      emulatorDataDir: `${cwd}/data/emulator`,
      home,
      idpTimeoutMs: 10_000,
      graphTimeoutMs,
      graphRetryBudgetMs: Math.max(60_000, graphTimeoutMs),
      mergeJournal: mergeJournal ?? `${home}/merges.sqlite`,
      mergeTiming: Object.freeze(mergeTiming),
    }),
  }
}
