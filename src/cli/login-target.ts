/**
 * `loginTarget`: where `login` signs in — a tenant (a client id from --client-id or CLIENT_ID; --authority, --tenant,
 * national clouds) or, with no client id, the emulator (running, or started here), with the CLI's own public client
 * registered in it; `CLI_EMULATOR_APP`.
 */
import { createHttpFetch } from '../core/index.ts'
import type { CliSettings } from './cli-settings.ts'
import { graphFor, type GraphEndpoint } from './clouds.ts'
import type { OptionValues } from './command.ts'
import { linkForSignIn, type EmulatorLink } from './emulator-link.ts'

/**
 * The command line's app registration in the emulator: a public client (no secret) with the loopback redirect URI, as
 * one registers a desktop app in Entra. The emulator's fixtures hold only the web app's confidential registration, so
 * login adds this one through the control API (addApp) before each emulator sign-in.
 */
export const CLI_EMULATOR_APP = {
  clientId: '0c9e3d5a-7f21-4b8e-9a64-3e5d2c1b7f90',
  displayName: 'Graph Connect CLI',
} as const

export interface LoginTarget {
  clientId: string
  /** No trailing slash, with its tenant. */
  authority: string
  tenant: string
  graph: GraphEndpoint
  fetch: typeof fetch
  /** Against the emulator: how it is reached, and the data folder an in-process one uses later. */
  emulator?: { link: EmulatorLink; dataDir: string }
  close(): Promise<void>
}

/** The target, or the usage problem (exit 2). */
export async function loginTarget(
  settings: Readonly<CliSettings>,
  values: OptionValues,
  appOnly: boolean,
): Promise<LoginTarget | { problem: string }> {
  const clientId = (values['client-id'] as string | undefined) ?? settings.clientId
  const network = createHttpFetch()
  const graphUrl = (values['graph-url'] as string | undefined) ?? settings.graphBaseUrl
  if (clientId) return tenantTarget(settings, values, clientId, appOnly, network, graphUrl)
  if (values.authority)
    return {
      problem:
        '--authority names a tenant’s cloud, which needs an app registration: add --client-id <id> (or set CLIENT_ID).',
    }
  const link = await linkForSignIn(settings.emulatorUrl, settings.emulatorDataDir, network)
  try {
    const demo = await link.client.demo()
    if (!appOnly)
      await link.client.addApp({
        ...CLI_EMULATOR_APP,
        secrets: [],
        redirectUris: ['http://localhost'],
        postLogoutRedirectUris: [],
        appRoles: [],
      })
    const tenant = (values.tenant as string | undefined) ?? demo.tenantId
    return {
      clientId: appOnly ? demo.clientId : CLI_EMULATOR_APP.clientId,
      authority: `${link.url}/${tenant}`,
      tenant,
      graph: { baseUrl: graphUrl ?? `${link.url}/v1.0`, resource: 'https://graph.microsoft.com' },
      fetch: link.fetch,
      emulator: { link, dataDir: settings.emulatorDataDir },
      close: () => link.close(),
    }
  } catch (error) {
    await link.close()
    throw error
  }
}

function tenantTarget(
  settings: Readonly<CliSettings>,
  values: OptionValues,
  clientId: string,
  appOnly: boolean,
  network: typeof fetch,
  graphUrl: string | undefined,
): LoginTarget | { problem: string } {
  const given = (values.authority as string | undefined) ?? settings.authority
  let base: URL
  try {
    base = new URL(given ?? 'https://login.microsoftonline.com')
  } catch {
    return {
      problem: `--authority must be a URL such as https://login.microsoftonline.us, got "${given}".`,
    }
  }
  const pathTenant = base.pathname.replace(/^\/+|\/+$/g, '').split('/')[0] || undefined
  const tenant =
    (values.tenant as string | undefined) ?? pathTenant ?? (appOnly ? undefined : 'common')
  if (
    !tenant ||
    (appOnly && ['common', 'organizations', 'consumers'].includes(tenant.toLowerCase()))
  )
    return {
      problem: `app-only sign-in (--secret, --certificate) acts in one tenant: add --tenant <tenant id or domain>.`,
    }
  const authority = `${base.origin}/${tenant}`
  return {
    clientId,
    authority,
    tenant,
    graph: graphFor(authority, graphUrl),
    fetch: network,
    close: async () => undefined,
  }
}
