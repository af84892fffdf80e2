/** authenticateClient: who calls the token endpoint, and how it proved it. */
import type { EmulatorContext } from '../../context.ts'
import type { App } from '../../state/directory.ts'
import type { ClientAuthMethod } from '../records.ts'
import { safeEqual } from '../../safe-equal.ts'
import { aadsts } from '../oauth-error.ts'
import { checkClientAssertion, decodeJwtPart } from './check-client-assertion.ts'

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

export interface ClientAuthInput {
  context: EmulatorContext
  params: Record<string, string | undefined>
  authorization?: string
  /** URLs an assertion's aud may name. */
  tokenEndpoints: string[]
  tenantSegment: string
}

/**
 * - the client is named by HTTP Basic, client_id, or (failing both) the assertion's iss
 * - client_id is required (AADSTS900144) and must be registered (AADSTS700016)
 * - client_secret (post or basic) must match an unexpired secret (AADSTS7000215 / 7000222)
 * - client_assertion must be a jwt-bearer JWT verified by checkClientAssertion
 * - no credential → 'none'; the grant decides whether a public client is allowed (else AADSTS7000218)
 */
export function authenticateClient(input: ClientAuthInput): { app: App; method: ClientAuthMethod } {
  const { params, context } = input
  const basic = parseBasic(input.authorization)
  const assertion = params.client_assertion
  const clientId =
    basic?.id ??
    params.client_id ??
    (assertion ? String(decodeJwtPart(assertion, 1)?.iss ?? '') : undefined)
  if (!clientId) throw aadsts.missingParameter('client_id')
  const app = context.directory.findApp(clientId)
  if (!app) throw aadsts.unknownClient(clientId, input.tenantSegment)
  const secret = basic?.secret ?? params.client_secret
  if (assertion) {
    if (params.client_assertion_type !== JWT_BEARER)
      throw aadsts.missingParameter('client_assertion_type')
    checkClientAssertion(app, assertion, input.tokenEndpoints)
    return { app, method: 'certificate' }
  }
  if (secret !== undefined) {
    const match = app.secrets.find((candidate) => safeEqual(candidate.value, secret))
    if (!match) throw aadsts.badSecret(app.clientId)
    if (Date.parse(match.expiresAt) <= Date.now()) throw aadsts.expiredSecret(app.clientId)
    return { app, method: 'secret' }
  }
  return { app, method: 'none' }
}

function parseBasic(header?: string): { id: string; secret: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '')
  if (!match) return undefined
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return undefined
  const decode = (part: string) => {
    try {
      return decodeURIComponent(part.replace(/\+/g, ' '))
    } catch {
      return part
    }
  }
  return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) }
}
