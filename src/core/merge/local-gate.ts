/**
 * `createLocalGate`: the per-mailbox request gate of a journal only one process writes (SQLite): a semaphore per
 * mailbox with first-come-first-served waiters, the pauses Graph asked for, and the slots a killed process left.
 */
import type { Slot } from './merge-journal.ts'

export interface LocalGate {
  enter(mailbox: string, concurrent: number, signal?: AbortSignal): Promise<Slot>
  pause(mailbox: string, untilMs: number): void
  /** Epoch ms the mailbox is paused until, or 0. */
  pausedUntil(mailbox: string): number
  /**
   * Counts a slot that no one here will release (a dead process's request Graph may still be processing) until
   * `untilMs` (epoch ms); then it frees itself, as a release would, and `expired` runs.
   */
  hold(mailbox: string, untilMs: number, expired?: () => void): void
  /** Stops the timers of held slots (the journal is closing). */
  close(): void
}

interface Mailbox {
  inFlight: number
  /** Waiters in arrival order; a released slot is handed to the first, so no newcomer overtakes it. */
  waiters: Array<{ concurrent: number; take: () => void }>
  pausedUntil: number
}

export function createLocalGate(): LocalGate {
  const mailboxes = new Map<string, Mailbox>()
  const timers = new Set<NodeJS.Timeout>()
  const mailboxOf = (name: string) => {
    let mailbox = mailboxes.get(name)
    if (!mailbox) mailboxes.set(name, (mailbox = { inFlight: 0, waiters: [], pausedUntil: 0 }))
    return mailbox
  }

  const slotOf = (mailbox: Mailbox): Slot => {
    let released = false
    return {
      release() {
        if (released) return
        released = true
        const next = mailbox.waiters[0]
        if (next && mailbox.inFlight <= next.concurrent) {
          mailbox.waiters.shift()
          next.take() // the slot passes on: inFlight unchanged
        } else mailbox.inFlight--
      },
    }
  }

  const take = async (mailbox: Mailbox, concurrent: number, signal?: AbortSignal) => {
    signal?.throwIfAborted()
    if (mailbox.waiters.length === 0 && mailbox.inFlight < concurrent) {
      mailbox.inFlight++
      return slotOf(mailbox)
    }
    await new Promise<void>((resolve, reject) => {
      const waiter = {
        concurrent,
        take: () => {
          signal?.removeEventListener('abort', abort)
          resolve()
        },
      }
      const abort = () => {
        mailbox.waiters.splice(mailbox.waiters.indexOf(waiter), 1)
        reject(signal!.reason)
      }
      signal?.addEventListener('abort', abort, { once: true })
      mailbox.waiters.push(waiter)
    })
    return slotOf(mailbox)
  }

  return {
    async enter(name, concurrent, signal) {
      const mailbox = mailboxOf(name)
      await waitForPause(mailbox, signal)
      const slot = await take(mailbox, concurrent, signal)
      try {
        await waitForPause(mailbox, signal) // a pause asked for while this waited in line
      } catch (error) {
        slot.release()
        throw error
      }
      return slot
    },
    pause(name, untilMs) {
      const mailbox = mailboxOf(name)
      mailbox.pausedUntil = Math.max(mailbox.pausedUntil, untilMs)
    },
    pausedUntil: (name) => mailboxes.get(name)?.pausedUntil ?? 0,
    hold(name, untilMs, expired) {
      const mailbox = mailboxOf(name)
      mailbox.inFlight++
      const slot = slotOf(mailbox)
      const timer = setTimeout(
        () => {
          timers.delete(timer)
          slot.release()
          expired?.()
        },
        Math.max(0, untilMs - Date.now()),
      )
      timers.add(timer)
    },
    close() {
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
    },
  }
}

async function waitForPause(mailbox: Mailbox, signal?: AbortSignal): Promise<void> {
  for (
    let left = mailbox.pausedUntil - Date.now();
    left > 0;
    left = mailbox.pausedUntil - Date.now()
  )
    await sleep(left, signal)
}

/** Like timers/promises' setTimeout, but rejecting with the signal's own reason, as enter() does while it waits. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted()
    const abort = () => {
      clearTimeout(timer)
      reject(signal!.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', abort, { once: true })
  })
}
