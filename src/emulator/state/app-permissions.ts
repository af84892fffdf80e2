/** appPermissions(input): an app registration's configured Graph permissions and granted roles, by canonical name. */
import { findPermission, permissionById, type Scheme } from '../identity/permissions/catalogue.ts'
import type { NewApp, RequiredPermissions } from './directory-records.ts'

const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000'

/**
 * - `requiredPermissions` (names) and Graph's entries of a manifest's `requiredResourceAccess` (ids or names) add up;
 *   other resources are ignored (the emulator serves Graph only)
 * - without either: User.Read, which Entra's portal configures on every new registration, and the granted `appRoles`
 * - every name must be a Graph permission of that scheme (else an Error saying which)
 */
export function appPermissions(input: NewApp): {
  requiredPermissions: RequiredPermissions
  appRoles: string[]
} {
  const appRoles = canonical(input.appRoles ?? [], 'application')
  const fromNames = input.requiredPermissions ?? {}
  const fromManifest = manifestPermissions(input)
  const given =
    input.requiredPermissions !== undefined || input.requiredResourceAccess !== undefined
  return {
    requiredPermissions: {
      delegated: canonical(
        given ? [...(fromNames.delegated ?? []), ...fromManifest.delegated] : ['User.Read'],
        'delegated',
      ),
      application: canonical(
        given ? [...(fromNames.application ?? []), ...fromManifest.application] : appRoles,
        'application',
      ),
    },
    appRoles,
  }
}

/** Canonical names, each once, in the order given. */
export function canonical(names: readonly string[], scheme: Scheme): string[] {
  if (!Array.isArray(names) || names.some((name) => typeof name !== 'string'))
    throw new Error(`${scheme} permissions must be an array of names.`)
  const out: string[] = []
  for (const name of names) {
    const found = findPermission(name, scheme)
    if (!found)
      throw new Error(
        `'${name}' is not a ${scheme} permission of Microsoft Graph (see Graph's permissions reference).`,
      )
    if (!out.includes(found.name)) out.push(found.name)
  }
  return out
}

function manifestPermissions(input: NewApp): RequiredPermissions {
  const out: RequiredPermissions = { delegated: [], application: [] }
  for (const resource of input.requiredResourceAccess ?? []) {
    if (String(resource?.resourceAppId).toLowerCase() !== GRAPH_APP_ID) continue
    for (const access of resource.resourceAccess ?? []) {
      const scheme = access?.type === 'Role' ? 'application' : 'delegated'
      const found = access?.id
        ? permissionById(access.id, scheme)
        : findPermission(String(access?.value), scheme)
      if (!found)
        throw new Error(
          `requiredResourceAccess names an unknown Graph ${scheme} permission: ${JSON.stringify(access)}.`,
        )
      out[scheme].push(found.name)
    }
  }
  return out
}
