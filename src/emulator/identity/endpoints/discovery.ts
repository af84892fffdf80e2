/** OpenID configuration (v2 and v1), JWKS and instance discovery, built from the emulator's public URL. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../../context.ts'
import { aadsts, errorJson, newErrorIds } from '../oauth-error.ts'
import { graphBase } from './graph-base.ts'

const CLAIMS = [
  'sub',
  'iss',
  'cloud_instance_name',
  'cloud_instance_host_name',
  'cloud_graph_host_name',
  'msgraph_host',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'acr',
  'nonce',
  'preferred_username',
  'name',
  'tid',
  'ver',
  'at_hash',
  'c_hash',
  'email',
]

const MICROSOFT_ALIASES = [
  'login.microsoftonline.com',
  'login.windows.net',
  'login.microsoft.com',
  'sts.windows.net',
]

/** Where a tenant's documents point: the base URL, the tenant segment and the issuer's tenant. */
interface Endpoints {
  base: string
  /** Where Graph is reached (graph-base.ts): the base URL, or graph.microsoft.com in real-hostname mode. */
  graph: string
  segment: string
  /** The tenant GUID for the directory's tenant, `{tenantid}` for common and organizations. */
  issuerTenant: string
  issParameter: boolean
}

type TenantRequest = FastifyRequest<{ Params: { tenant: string } }>

export async function discoveryRoutes(
  app: FastifyInstance,
  context: EmulatorContext,
): Promise<void> {
  const documents =
    (build: (endpoints: Endpoints) => object) => (request: TenantRequest, reply: FastifyReply) => {
      const segment = segmentFor(context, request.params.tenant, reply)
      if (!segment) return reply
      const endpoints = {
        base: context.forRequest(request).publicUrl(),
        graph: graphBase(context, request),
        segment,
        issuerTenant: segment === context.directory.tenant.id ? segment : '{tenantid}',
        issParameter: context.options.issParameter,
      }
      return metadataHeaders(reply).send(build(endpoints))
    }
  app.get('/:tenant/v2.0/.well-known/openid-configuration', documents(v2Configuration))
  app.get('/:tenant/.well-known/openid-configuration', documents(v1Configuration))

  const keys =
    (issuerPath: string) =>
    (request: FastifyRequest<{ Params: { tenant?: string } }>, reply: FastifyReply) => {
      const segment = segmentFor(context, request.params.tenant ?? 'common', reply)
      if (!segment) return reply
      const issuerTenant = segment === context.directory.tenant.id ? segment : '{tenantid}'
      const issuer = `${context.forRequest(request).publicUrl()}/${issuerTenant}${issuerPath}`
      return metadataHeaders(reply).send(context.signer.jwks(issuer))
    }
  app.get('/:tenant/discovery/v2.0/keys', keys('/v2.0'))
  app.get('/:tenant/discovery/keys', keys('/'))
  app.get('/discovery/keys', keys('/'))

  app.get<{ Params: { tenant: string }; Querystring: Record<string, string> }>(
    '/:tenant/discovery/instance',
    (request, reply) => metadataHeaders(reply).send(instanceDiscovery(context, request)),
  )
}

/** The tenant path segment as endpoints show it (GUID for the directory's tenant); undefined, answered, when unknown. */
function segmentFor(context: EmulatorContext, tenant: string, reply: FastifyReply) {
  const resolved = context.directory.resolveTenant(tenant)
  if (resolved === undefined) {
    void reply
      .code(400)
      .header('cache-control', 'no-store')
      .send(errorJson(aadsts.tenantNotFound(tenant), newErrorIds()))
    return undefined
  }
  return typeof resolved === 'string' ? resolved : resolved.id
}

const metadataHeaders = (reply: FastifyReply) =>
  reply
    .header('cache-control', 'max-age=86400, private')
    .header('access-control-allow-origin', '*')
    .header('x-ms-request-id', reply.request.id)

function v2Configuration({ base, graph, segment, issuerTenant, issParameter }: Endpoints) {
  return {
    token_endpoint: `${base}/${segment}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: [
      'client_secret_post',
      'private_key_jwt',
      'client_secret_basic',
    ],
    jwks_uri: `${base}/${segment}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${base}/${issuerTenant}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${graph}/oidc/userinfo`,
    authorization_endpoint: `${base}/${segment}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/${segment}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/${segment}/oauth2/v2.0/logout`,
    claims_supported: CLAIMS,
    ...(issParameter ? { authorization_response_iss_parameter_supported: true } : {}),
    ...(issuerTenant === segment ? {} : { kerberos_endpoint: `${base}/${segment}/kerberos` }),
    tenant_region_scope: issuerTenant === segment ? 'WW' : null,
    cloud_instance_name: 'microsoftonline.com',
    ...graphHosts(base, graph),
  }
}

function v1Configuration({ base, graph, segment, issuerTenant, issParameter }: Endpoints) {
  return {
    token_endpoint: `${base}/${segment}/oauth2/token`,
    token_endpoint_auth_methods_supported: [
      'client_secret_post',
      'private_key_jwt',
      'client_secret_basic',
    ],
    jwks_uri: `${base}/common/discovery/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'token id_token', 'token'],
    scopes_supported: ['openid'],
    issuer: `${base}/${issuerTenant}/`,
    microsoft_multi_refresh_token: true,
    authorization_endpoint: `${base}/${segment}/oauth2/authorize`,
    device_authorization_endpoint: `${base}/${segment}/oauth2/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/${segment}/oauth2/logout`,
    claims_supported: [
      'sub',
      'iss',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'acr',
      'amr',
      'nonce',
      'email',
      'given_name',
      'family_name',
      'nickname',
    ],
    check_session_iframe: `${base}/${segment}/oauth2/checksession`,
    ...(issParameter ? { authorization_response_iss_parameter_supported: true } : {}),
    userinfo_endpoint: `${base}/${segment}/openid/userinfo`,
    tenant_region_scope: issuerTenant === segment ? 'WW' : null,
    cloud_instance_name: 'microsoftonline.com',
    ...graphHosts(base, graph),
  }
}

/**
 * Entra's graph.windows.net, graph.microsoft.com and pas.windows.net, moved onto names that reach the emulator: its
 * Graph host (real-hostname mode: graph.microsoft.com) and its base URL. No field points off the machine.
 */
const graphHosts = (base: string, graph: string) => ({
  cloud_graph_host_name: new URL(graph).host,
  msgraph_host: new URL(graph).host,
  rbac_url: base,
})

// Instance discovery (§A1.2): the emulator lists its own host:port as an alias, next to Microsoft's cloud
// (only Microsoft's entry when reached as login.microsoftonline.com, in real-hostname mode).
function instanceDiscovery(
  context: EmulatorContext,
  request: FastifyRequest<{ Querystring: Record<string, string> }>,
) {
  const base = context.forRequest(request).publicUrl()
  const host = new URL(base).host
  let tenant = 'common'
  try {
    tenant = new URL(request.query.authorization_endpoint ?? '').pathname.split('/')[1] || 'common'
  } catch {
    // no or bad authorization_endpoint: answer for 'common', as Entra does
  }
  return {
    tenant_discovery_endpoint: `${base}/${tenant}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [
      ...(MICROSOFT_ALIASES.includes(host)
        ? []
        : [{ preferred_network: host, preferred_cache: host, aliases: [host] }]),
      {
        preferred_network: 'login.microsoftonline.com',
        preferred_cache: 'login.windows.net',
        aliases: MICROSOFT_ALIASES,
      },
    ],
  }
}
