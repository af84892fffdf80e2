/** The in-flight sign-ins (flows) in the identity store, kept an hour: the browser carries only a flow's id. */
import { randomId, type IdentityStore } from '../identity-store.ts'
import type { Flow } from '../records.ts'

const FLOW_SECONDS = 60 * 60

export function createFlow(store: IdentityStore, flow: Omit<Flow, 'id'>): Flow {
  const created = { ...flow, id: randomId(24) }
  store.put('flow', created.id, created, FLOW_SECONDS)
  return created
}

export const saveFlow = (store: IdentityStore, flow: Flow) =>
  store.put('flow', flow.id, flow, FLOW_SECONDS)
export const loadFlow = (store: IdentityStore, id: unknown) =>
  typeof id === 'string' && id ? store.get<Flow>('flow', id) : undefined
