/** Resolves the authority once at start from its OpenID metadata, and builds msal's offline `auth` options from it. */
import { AuthError } from '../errors.ts'
import { networkCause } from '../network-cause.ts'

export interface OpenIdMetadata {
  issuer: string
  authorization_endpoint: string
  token_endpoint: string
  jwks_uri: string
  end_session_endpoint?: string
  authorization_response_iss_parameter_supported?: boolean
  [name: string]: unknown
}

export interface ResolvedAuthority {
  /** As configured, e.g. http://localhost:8001/contoso. */
  authority: string
  /** The https:// label msal accepts; never contacted, because the metadata is supplied. */
  msalAuthority: string
  knownAuthorities: string[]
  authorityMetadata: string
  cloudDiscoveryMetadata: string
  metadata: Readonly<OpenIdMetadata>
  /** Issuer from the metadata; may hold the `{tenantid}` placeholder (multi-tenant authorities). */
  issuer: string
}

/** True when `iss` is the metadata issuer, the `{tenantid}` placeholder standing for `tid` (or any tenant). */
export function issuerMatches(expected: string, iss: string, tid?: string): boolean {
  if (!expected.includes('{tenantid}')) return iss === expected
  if (tid !== undefined) return iss === expected.replace('{tenantid}', tid)
  const [before, after] = expected.split('{tenantid}') as [string, string]
  const tenant = iss.slice(before.length, iss.length - after.length)
  return iss.startsWith(before) && iss.endsWith(after) && /^[\w.-]+$/.test(tenant)
}

/**
 * Fetches `{authority}/v2.0/.well-known/openid-configuration` (real Entra and the emulator alike) and prepares msal's
 * `authority`, `knownAuthorities`, `authorityMetadata` and `cloudDiscoveryMetadata` so msal makes no discovery call.
 * `known` is that document when the caller already holds it (the embedded emulator answers in process): it is
 * checked the same way, and nothing is fetched.
 */
export async function resolveAuthority(
  authority: string,
  fetchImpl: typeof fetch,
  timeoutMs: number,
  known?: unknown,
): Promise<ResolvedAuthority> {
  const url = `${authority}/v2.0/.well-known/openid-configuration`
  const metadata = checkMetadata(
    known === undefined ? await fetchMetadata(url, fetchImpl, timeoutMs) : known,
    url,
  )
  const label = new URL(authority)
  label.protocol = 'https:'
  const host = label.host
  const cloudDiscoveryMetadata = {
    tenant_discovery_endpoint: url,
    'api-version': '1.1',
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
  }
  return {
    authority,
    msalAuthority: label.href.replace(/\/+$/, ''),
    knownAuthorities: [host],
    authorityMetadata: JSON.stringify(metadata),
    cloudDiscoveryMetadata: JSON.stringify(cloudDiscoveryMetadata),
    metadata: Object.freeze(metadata),
    issuer: metadata.issuer,
  }
}

async function fetchMetadata(url: string, fetchImpl: typeof fetch, timeoutMs: number) {
  try {
    const response = await fetchImpl(url, {
      headers: { accept: 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    })
    if (!response.ok) throw new Error(`HTTP ${response.status}`)
    return (await response.json()) as unknown
  } catch (error) {
    throw new AuthError('ERR_AUTH_METADATA', {
      message: `Cannot load the OpenID metadata at ${url}: ${networkCause(error, url, timeoutMs)}. Check AUTHORITY (the tenant, and the identity provider's address).`,
      cause: error,
    })
  }
}

/** An object with the endpoints msal and the id_token check need; ERR_AUTH_METADATA otherwise. */
function checkMetadata(value: unknown, url: string): OpenIdMetadata {
  if (typeof value !== 'object' || value === null) {
    throw new AuthError('ERR_AUTH_METADATA', {
      message: `The OpenID metadata at ${url} is not a JSON object. Check AUTHORITY.`,
    })
  }
  const metadata = value as OpenIdMetadata
  for (const field of ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
    if (typeof metadata[field] !== 'string' || !metadata[field]) {
      throw new AuthError('ERR_AUTH_METADATA', {
        message: `The OpenID metadata at ${url} has no ${field}.`,
      })
    }
  }
  return metadata
}
