/**
 * createMailEvents, MailEvent: every change to the mailboxes as it happens (a delivery, a read flag, a delete, a mailbox
 * emptied), for the control API's event stream and through it the inbox viewer's live updates.
 */

/** One change to the mail store; `created` is a message stored (a delivery, a draft, an NDR). */
export interface MailEvent {
  change: 'created' | 'updated' | 'deleted' | 'cleared'
  /** The message; absent for `cleared`. */
  id?: string
  /** A user id or `external`; absent when every mailbox was emptied. */
  mailbox?: string
  folder?: string
  subject?: string
  /** The sender's address, on `created`. */
  from?: string
  isRead?: boolean
}

export type MailListener = (event: MailEvent) => void

export type MailEvents = ReturnType<typeof createMailEvents>

export function createMailEvents() {
  const listeners = new Set<MailListener>()
  return {
    /** Tells every listener; one that throws does not keep the others from hearing. */
    emit(event: MailEvent): void {
      for (const listener of listeners) {
        try {
          listener(event)
        } catch {
          listeners.delete(listener)
        }
      }
    },
    /** Starts listening; returns the function that stops. */
    subscribe(listener: MailListener): () => void {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
    get listenerCount(): number {
      return listeners.size
    },
  }
}
