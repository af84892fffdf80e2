/** What web needs of core: `AuthPort` (a Pick of core's Auth) and `GraphFactory` (a Graph client per user). */
import type { Auth, GraphClient, GraphClientOptions } from '../core/index.ts'

export type AuthPort = Pick<
  Auth,
  'beginSignIn' | 'completeSignIn' | 'acquireToken' | 'forget' | 'logoutUrl'
>

/**
 * Builds a Graph client from its per-user parts (and, for a call that must answer fast, a retry budget of its own);
 * buildApp's default is core's createGraphClient.
 */
export type GraphFactory = (
  options: Pick<GraphClientOptions, 'token' | 'fetch' | 'onCall'> &
    Partial<Pick<GraphClientOptions, 'retryBudgetMs'>>,
) => GraphClient
