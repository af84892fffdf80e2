/**
 * `createMailboxTurns`: in one worker, the rows of a mailbox take its send window one at a time, in the order they
 * asked. Why: while a window is full, every row waiting on it would otherwise ask the journal again and again — with
 * three workers on PostgreSQL, dozens of transactions queued on the mailbox's lock for each send it lets through.
 * In line here, only the row at the head asks; the journal still decides, so the limits hold across workers.
 */
export type MailboxTurns = (mailbox: string) => Promise<() => void>

export function createMailboxTurns(): MailboxTurns {
  const tails = new Map<string, Promise<void>>()
  return async (mailbox) => {
    const before = tails.get(mailbox) ?? Promise.resolve()
    let leave!: () => void
    const mine = new Promise<void>((resolve) => (leave = resolve))
    const tail = before.then(() => mine)
    tails.set(mailbox, tail)
    await before
    let left = false
    return () => {
      if (left) return
      left = true
      leave()
      if (tails.get(mailbox) === tail) tails.delete(mailbox)
    }
  }
}
