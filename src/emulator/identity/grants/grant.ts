/** What every grant handler receives, and the public-client rule shared by grants. */
import type { EmulatorContext } from '../../context.ts'
import type { App } from '../../state/directory.ts'
import type { ClientAuthMethod } from '../records.ts'
import { aadsts } from '../oauth-error.ts'

export interface GrantInput {
  context: EmulatorContext
  params: Record<string, string | undefined>
  app: App
  method: ClientAuthMethod
  tenantSegment: string
  tenantId: string
  /** Common / organizations / consumers. */
  specialTenant: boolean
  version: 1 | 2
}

export type Grant = (input: GrantInput) => Promise<Record<string, unknown>>

export function required(params: Record<string, string | undefined>, name: string): string {
  const value = params[name]
  if (!value) throw aadsts.missingParameter(name)
  return value
}

/** A confidential grant without a credential is refused (AADSTS7000218). */
export function requireCredential(input: GrantInput): void {
  if (input.method === 'none') throw aadsts.noCredential()
}
