/**
 * userinfoRoutes: the OIDC UserInfo endpoint — GET|POST /oidc/userinfo, hosted by Graph (its bearer check and error
 * envelope), and v1's /{tenant}/openid/userinfo — answered from the user of a Graph access token.
 * Source: https://learn.microsoft.com/entra/identity-platform/userinfo
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../../context.ts'
import { createAuthenticator } from '../../graph/authenticate.ts'
import { GraphError, sendGraphError, setGraphHeaders } from '../../graph/graph-error.ts'
import type { User } from '../../state/directory.ts'
import { pairwiseSub } from '../issue.ts'
import { graphBase } from './graph-base.ts'

// Graph's answer to a token without `openid` (or an app token), as Graph words it
// (microsoftgraph/microsoft-graph-docs#12906).
const UNDEFINED_SCOPE =
  '{  "error":{    "code":"UndefinedScope","message":"Exception of type \'Microsoft.Fast.Profile.Core.Exception.ProfileBadRequestException\' was thrown."  }}'

export async function userinfoRoutes(
  app: FastifyInstance,
  context: EmulatorContext,
): Promise<void> {
  const authenticate = createAuthenticator(context.signer)
  const handler = (version: 1 | 2) => async (request: FastifyRequest, reply: FastifyReply) => {
    setGraphHeaders(request, reply)
    try {
      const auth = await authenticate(request)
      const scopes = new Set(auth.delegated ? (auth.claims.scp ?? '').split(' ') : [])
      const user = auth.delegated ? context.directory.findUser(auth.claims.oid) : undefined
      if (!scopes.has('openid') || !user) throw new GraphError(400, 'BadRequest', UNDEFINED_SCOPE)
      const claims =
        version === 2
          ? userinfo(user, auth.claims.appid, scopes, graphBase(context, request))
          : userinfoV1(user, auth.claims.appid)
      return reply.header('content-type', 'application/json; charset=utf-8').send(claims)
    } catch (error) {
      if (error instanceof GraphError) return sendGraphError(reply, error)
      throw error
    }
  }
  app.get('/oidc/userinfo', handler(2))
  app.post('/oidc/userinfo', handler(2))
  app.get('/:tenant/openid/userinfo', handler(1))
  app.post('/:tenant/openid/userinfo', handler(1))
}

/**
 * `sub` as in the app's id tokens; the names and `picture` with the `profile` scope, `email` with `email` (the claims
 * Microsoft's page lists, "the same values included in an ID token").
 */
function userinfo(user: User, clientId: string, scopes: Set<string>, graph: string) {
  return {
    sub: pairwiseSub(user.id, clientId),
    ...(scopes.has('profile')
      ? {
          name: user.displayName,
          family_name: user.surname,
          given_name: user.givenName,
          picture: `${graph}/v1.0/me/photo/$value`,
        }
      : {}),
    ...(scopes.has('email') && user.mail ? { email: user.mail } : {}),
  }
}

/** v1: the user claims of a v1 id token. */
function userinfoV1(user: User, clientId: string) {
  return {
    amr: ['pwd'],
    family_name: user.surname,
    given_name: user.givenName,
    ipaddr: '127.0.0.1',
    name: user.displayName,
    oid: user.id,
    sub: pairwiseSub(user.id, clientId),
    tid: user.tenantId,
    unique_name: user.userPrincipalName,
    upn: user.userPrincipalName,
  }
}
