/** What web needs of core: `AuthPort` (a Pick of core's Auth) and `GraphFactory` (a Graph client per user). */
import type { Auth, GraphClient, GraphClientOptions } from '../core/index.ts'

export type AuthPort = Pick<
  Auth,
  'beginSignIn' | 'completeSignIn' | 'acquireToken' | 'forget' | 'logoutUrl'
>

/** Builds a Graph client from its per-user parts; buildApp's default is core's createGraphClient. */
export type GraphFactory = (
  options: Pick<GraphClientOptions, 'token' | 'fetch' | 'onCall'>,
) => GraphClient
