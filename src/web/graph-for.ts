/** `createGraphFor`: a Graph client acting as one signed-in user, its calls told to an operation's recorder. */
import type { GraphClient } from '../core/index.ts'
import type { FlowRecorder } from './flow-recorder.ts'
import type { SessionUser } from './plugins/session.ts'
import type { AuthPort, GraphFactory } from './ports.ts'

/** A Graph client for `user`; with `recorder`, its token refreshes and Graph calls are recorded. */
export type GraphFor = (user: SessionUser, recorder?: FlowRecorder) => GraphClient

export function createGraphFor(
  auth: Pick<AuthPort, 'acquireToken'>,
  graphFactory: GraphFactory,
  fetch: typeof globalThis.fetch,
): GraphFor {
  return (user, recorder) =>
    graphFactory({
      token: () => auth.acquireToken(user.partition, user.account, recorder?.onTokenExchange),
      fetch,
      onCall: recorder?.onGraphCall,
    })
}
