/** What web needs from core's auth, as a structural type: core's Auth satisfies it, tests can script it. */
export interface SignInRecordLike {
  state: string
}

export interface AuthPort<Record extends SignInRecordLike = SignInRecordLike, User = unknown> {
  beginSignIn(): Promise<{ url: string; record: Record }>
  completeSignIn(
    record: Record,
    query: { [name: string]: string },
    partition: string,
  ): Promise<User>
  acquireToken(partition: string, user: User): Promise<string>
  forget(partition: string): Promise<void>
  logoutUrl(): string
}

import type { GraphClient } from '../core/graph/graph-client.ts'

export type { GraphClient }
export type GraphFactory = (options: {
  token: () => Promise<string>
  fetch: typeof fetch
}) => GraphClient
