/**
 * `sendRates`: from the emulator's journal, the sends that went through per sender mailbox and their rate in the
 * steady state, the most sends that arrived within any window, and the requests the emulator refused with a 429.
 */
import type { JournalEntry } from '../../src/emulator/index.ts'

const SEND = /^\/v1\.0\/users\/[^/]+\/(messages\/[^/]+\/send|sendMail)$/

export interface SendRates {
  sends: number
  /** The sum over the mailboxes of each one's steady rate, sends per second. */
  perSecond: number
  refused: number
  peakInWindow: number
  perMailbox: { sends: number; perSecond: number }[]
}

export function sendRates(journal: readonly JournalEntry[], windowMs: number): SendRates {
  const graph = journal.filter((entry) => entry.mailbox && entry.path.startsWith('/v1.0/users/'))
  const sends = graph.filter(
    (entry) => entry.method === 'POST' && SEND.test(entry.path) && entry.status === 202,
  )
  const byMailbox = Map.groupBy(sends, (entry) => entry.mailbox!)
  const perMailbox = [...byMailbox.values()].map((list) => {
    const times = list.map((entry) => Date.parse(entry.time)).sort((a, b) => a - b)
    return { sends: times.length, perSecond: steadyRate(times, windowMs), times }
  })
  return {
    sends: sends.length,
    perSecond: perMailbox.reduce((sum, mailbox) => sum + mailbox.perSecond, 0),
    refused: graph.filter((entry) => entry.status === 429).length,
    peakInWindow: Math.max(
      0,
      ...perMailbox.map((mailbox) => peakInWindow(mailbox.times, windowMs)),
    ),
    perMailbox: perMailbox.map(({ sends, perSecond }) => ({
      sends,
      perSecond: Math.round(perSecond * 100) / 100,
    })),
  }
}

/**
 * Sends per second from the first arrival to the first arrival of the last window. From first to last arrival
 * would count one window's sends too many: sends paced by a rolling window come in bursts (30 at once, then 30 a
 * window later), and k intervals between bursts hold k + 1 bursts. Sends spread evenly are measured alike.
 */
export function steadyRate(times: readonly number[], windowMs: number): number {
  if (times.length < 2) return 0
  const last = times.at(-1)!
  const index = times.findIndex((time) => time > last - windowMs)
  const elapsed = times[index]! - times[0]!
  return index > 0 && elapsed > 0 ? (index * 1000) / elapsed : 0
}

/** The most arrivals within any window of `windowMs` (sorted input). */
export function peakInWindow(times: readonly number[], windowMs: number): number {
  let peak = 0
  for (let first = 0, last = 0; last < times.length; last++) {
    while (times[last]! - times[first]! >= windowMs) first++
    peak = Math.max(peak, last - first + 1)
  }
  return peak
}
