/**
 * `readLimits`, `readTimeouts`, `readSentCheck`: rate limits per minute, the time allowed to outgoing calls and
 * shutdown, and the lookups that settle a send whose answer was lost.
 */
import { configDefaults as defaults } from './config-defaults.ts'
import type { SettingsReader } from './config-parsers.ts'

export interface Limits {
  /** Sends per user per minute. */
  sendsPerMinute: number
  /** Sign-in starts per client IP per minute. */
  signInsPerMinute: number
}

export interface GraphTimeouts {
  /** Per Graph attempt. */
  timeoutMs: number
  /** For all attempts of one Graph call, waits included. */
  retryBudgetMs: number
}

export interface Timeouts {
  graph: GraphTimeouts
  /** Per request to the identity provider (metadata, keys, token endpoint). */
  idpTimeoutMs: number
  /** For in-flight requests on SIGTERM. */
  shutdownGraceMs: number
}

/** How the web app settles a send whose answer was lost, when the user's token may read mail (RE-04). */
export interface SentCheck {
  /** Lookups of the send's key (0: none, the outcome stays unknown). */
  checks: number
  /** For all of them, waits included. */
  budgetMs: number
}

export function readLimits(read: SettingsReader): Limits {
  return {
    sendsPerMinute: read.integer(
      'SEND_LIMIT_PER_MINUTE',
      defaults.SEND_LIMIT_PER_MINUTE,
      1,
      10_000,
      'sends',
    ),
    signInsPerMinute: read.integer(
      'SIGNIN_LIMIT_PER_MINUTE',
      defaults.SIGNIN_LIMIT_PER_MINUTE,
      1,
      10_000,
      'sign-ins',
    ),
  }
}

export function readTimeouts(read: SettingsReader): Timeouts {
  const milliseconds = (
    setting: keyof typeof defaults & `${string}_MS`,
    min: number,
    max: number,
  ) => read.integer(setting, defaults[setting], min, max, 'milliseconds')
  return {
    graph: {
      timeoutMs: milliseconds('GRAPH_TIMEOUT_MS', 100, 300_000),
      retryBudgetMs: milliseconds('GRAPH_RETRY_BUDGET_MS', 0, 600_000),
    },
    idpTimeoutMs: milliseconds('IDP_TIMEOUT_MS', 100, 300_000),
    shutdownGraceMs: milliseconds('SHUTDOWN_GRACE_MS', 0, 600_000),
  }
}

export function readSentCheck(read: SettingsReader): SentCheck {
  return {
    checks: read.integer('SENT_CHECKS', defaults.SENT_CHECKS, 0, 10, 'lookups'),
    budgetMs: read.integer(
      'SENT_CHECK_BUDGET_MS',
      defaults.SENT_CHECK_BUDGET_MS,
      100,
      30_000,
      'milliseconds',
    ),
  }
}
