/** `createGraphFor`: a Graph client acting as one signed-in user, its calls told to an operation's recorder. */
import type { GraphClient } from '../core/index.ts'
import type { FlowRecorder } from './flow-recorder.ts'
import type { SessionUser } from './plugins/session.ts'
import type { AuthPort, GraphFactory } from './ports.ts'

/** A client for calls that must end by a deadline: no retries (the caller's own attempts are its retries). */
export interface Deadline {
  /** Aborts every request of the client still in flight. */
  signal: AbortSignal
}

/** A Graph client for `user`; with `recorder`, its token refreshes and Graph calls are recorded. */
export type GraphFor = (
  user: SessionUser,
  recorder?: FlowRecorder,
  deadline?: Deadline,
) => GraphClient

export function createGraphFor(
  auth: Pick<AuthPort, 'acquireToken'>,
  graphFactory: GraphFactory,
  fetch: typeof globalThis.fetch,
): GraphFor {
  return (user, recorder, deadline) =>
    graphFactory({
      token: () => auth.acquireToken(user.partition, user.account, recorder?.onTokenExchange),
      fetch: deadline ? until(fetch, deadline.signal) : fetch,
      onCall: recorder?.onGraphCall,
      ...(deadline && { retryBudgetMs: 0 }),
    })
}

/** `fetch` whose requests also end when `signal` aborts. */
function until(fetch: typeof globalThis.fetch, signal: AbortSignal): typeof globalThis.fetch {
  return (input, init) =>
    fetch(input, {
      ...init,
      signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal,
    })
}
