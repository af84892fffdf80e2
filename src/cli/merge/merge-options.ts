/**
 * `mergeOptions`: the command line of `graph-connect merge` read into what the merge needs — the job's name, the
 * senders, the mode and Exchange's limits as settings (`--concurrent 4 --sends 30/1m --recipients 10000/24h`) —
 * or every problem with its fix.
 */
import { EXCHANGE_LIMITS, type MailboxLimits } from '../../core/index.ts'
import type { OptionValues } from '../command.ts'

export const JOB_NAME = /^[A-Za-z0-9._-]{1,64}$/

export type ModeChoice = 'auto' | 'draft' | 'direct'

export const LIMIT_OPTIONS = {
  concurrent: { type: 'string' },
  sends: { type: 'string' },
  recipients: { type: 'string' },
} as const

export const LIMIT_HELP = [
  '--concurrent <n>    requests in flight per mailbox, all workers together (default 4, Outlook’s limit)',
  '--sends <n>/<time>  sends per mailbox per rolling window (default 30/1m, Exchange’s limit)',
  '--recipients <n>/<time>  recipients per mailbox per rolling window (default 10000/24h, Exchange’s limit)',
  '                    <time>: a number with ms, s, m, h or d; lower them if your organisation set lower limits',
]

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** "30/1m" → { count: 30, windowMs: 60000 }, or undefined. */
export function parseRate(text: string): { count: number; windowMs: number } | undefined {
  const match = /^\s*(\d+)\s*\/\s*(\d+(?:\.\d+)?)?\s*(ms|s|m|h|d)\s*$/.exec(text)
  if (!match) return undefined
  const count = Number(match[1])
  const windowMs = Number(match[2] ?? 1) * UNIT_MS[match[3]!]!
  return count >= 1 && windowMs >= 1 ? { count, windowMs } : undefined
}

/** The limits asked for (defaults: Exchange Online's), or the problems. */
export function mergeLimits(values: OptionValues): MailboxLimits | { problems: string[] } {
  const problems: string[] = []
  const limits = { ...EXCHANGE_LIMITS }
  if (values.concurrent !== undefined) {
    const concurrent = Number(values.concurrent)
    if (Number.isInteger(concurrent) && concurrent >= 1 && concurrent <= 64)
      limits.concurrent = concurrent
    else
      problems.push(`--concurrent must be a whole number from 1 to 64, got "${values.concurrent}".`)
  }
  for (const [option, count, window] of [
    ['sends', 'sendsPerWindow', 'sendWindowMs'],
    ['recipients', 'recipientsPerWindow', 'recipientWindowMs'],
  ] as const) {
    if (values[option] === undefined) continue
    const rate = parseRate(String(values[option]))
    if (!rate)
      problems.push(
        `--${option} must be <count>/<time>, e.g. ${option === 'sends' ? '30/1m' : '10000/24h'}; got "${values[option]}".`,
      )
    else {
      limits[count] = rate.count
      limits[window] = rate.windowMs
    }
  }
  return problems.length ? { problems } : limits
}

/** `--from a@x,b@y` (repeatable): the sender mailboxes, without duplicates. */
export function senders(values: OptionValues): string[] {
  const given = ([] as string[]).concat((values.from as string[] | string | undefined) ?? [])
  const list = given.flatMap((item) => item.split(/[,;]/)).map((item) => item.trim())
  return [...new Set(list.filter(Boolean))]
}

export function modeChoice(values: OptionValues): ModeChoice | { problem: string } {
  const mode = String(values.mode ?? 'auto')
  return mode === 'auto' || mode === 'draft' || mode === 'direct'
    ? mode
    : { problem: `--mode must be auto, draft or direct, got "${mode}".` }
}
