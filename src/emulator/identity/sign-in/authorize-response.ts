/** Authorize responses: redirects by response_mode (query, fragment, form_post), codes and redirected errors. */
import { createHash } from 'node:crypto'
import type { FastifyReply } from 'fastify'
import type { EmulatorContext } from '../../context.ts'
import type { User } from '../../state/directory.ts'
import type { CodeRecord, Flow, ResponseMode, Session } from '../records.ts'
import { strings } from '../i18n/index.ts'
import { errorDescription, errorUri, newErrorIds, type OAuthError } from '../oauth-error.ts'
import { formPostPage } from './pages.ts'
import { sendPage } from './send-page.ts'
import { hashId, randomId } from '../identity-store.ts'

/** RFC 9207 `iss` of an authorize response when options.issParameter is on (Entra does not send it): the metadata's issuer. */
export function responseIssuer(
  context: EmulatorContext,
  reply: FastifyReply,
  tenantId: string,
  version: 1 | 2,
): string | undefined {
  return context.options.issParameter
    ? `${context.forRequest(reply.request).publicUrl()}/${tenantId}/${version === 2 ? 'v2.0' : ''}`
    : undefined
}

/** A flow as the target of its authorize response, with its `iss` when the emulator sends one. */
export const flowTarget = (context: EmulatorContext, reply: FastifyReply, flow: Flow) => ({
  ...flow,
  iss: responseIssuer(context, reply, flow.tenantId, flow.version),
})

/** Sends `fields` (and `iss`, when given) to the app's redirect URI the way response_mode asks. */
export function sendToApp(
  reply: FastifyReply,
  target: { redirectUri: string; responseMode: ResponseMode; lang?: 'en' | 'fr'; iss?: string },
  fields: Record<string, string | undefined>,
): FastifyReply {
  const defined = Object.fromEntries(
    Object.entries({ ...fields, iss: target.iss }).filter(([, value]) => value !== undefined),
  ) as Record<string, string>
  const encoded = new URLSearchParams(defined).toString()
  if (target.responseMode === 'form_post')
    return sendPage(reply, formPostPage(strings[target.lang ?? 'en'], target.redirectUri, defined))
  const url =
    target.responseMode === 'fragment'
      ? `${target.redirectUri.split('#')[0]}#${encoded}`
      : `${target.redirectUri}${target.redirectUri.includes('?') ? '&' : '?'}${encoded}`
  return reply
    .code(302)
    .header('cache-control', 'no-store, no-cache')
    .header('location', url)
    .send()
}

/** A redirected authorize error: error, error_description with trace lines, error_uri, state (§A4.1 class 2). */
export function sendErrorToApp(
  reply: FastifyReply,
  target: {
    redirectUri: string
    responseMode: ResponseMode
    state?: string
    clientRequestId?: string
    lang?: 'en' | 'fr'
    iss?: string
  },
  error: OAuthError,
): FastifyReply {
  const ids = newErrorIds(target.clientRequestId)
  return sendToApp(reply, target, {
    error: error.error,
    error_description: errorDescription(error, ids),
    error_uri: errorUri(error.code),
    ...(error.suberror ? { suberror: error.suberror } : {}),
    state: target.state,
  })
}

export const sessionState = (session?: Session) =>
  session ? uuidFrom(createHash('sha256').update(session.id).digest()) : crypto.randomUUID()

export const clientInfo = (user: Pick<User, 'id' | 'tenantId'>) =>
  Buffer.from(JSON.stringify({ uid: user.id, utid: user.tenantId })).toString('base64url')

/** Issues the authorization code and redirects to the app with code, client_info, state and session_state. */
export function sendCode(
  context: EmulatorContext,
  reply: FastifyReply,
  flow: Flow,
  user: User,
  session?: Session,
): FastifyReply {
  const code = `1.${randomId(48)}`
  const record: CodeRecord = {
    clientId: flow.clientId,
    redirectUri: flow.redirectUri,
    scope: flow.scope,
    resource: flow.resource,
    nonce: flow.nonce,
    codeChallenge: flow.codeChallenge,
    codeChallengeMethod: flow.codeChallengeMethod,
    userId: user.id,
    tenantId: flow.tenantId,
    sessionId: session?.id,
    version: flow.version,
    redeemed: false,
    issuedRefreshTokens: [],
    issuedAccessTokens: [],
    expiresAt: Date.now() + context.options.authCodeLifetimeSeconds * 1000,
  }
  // Kept past expiry so that a late redemption gets AADSTS70008 rather than "unknown code".
  context.identity.put(
    'code',
    hashId(code),
    record,
    context.options.authCodeLifetimeSeconds + 24 * 3600,
  )
  context.identity.delete('flow', flow.id)
  return sendToApp(reply, flowTarget(context, reply, flow), {
    code,
    client_info: flow.clientInfo && flow.version === 2 ? clientInfo(user) : undefined,
    state: flow.state,
    session_state: sessionState(session),
  })
}

function uuidFrom(bytes: Buffer): string {
  const hex = bytes.subarray(0, 16).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}
