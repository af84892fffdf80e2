/** checkTenant: the tenant segment of the authorize path. */
import { aadsts } from '../oauth-error.ts'
import { PageError, type AuthorizeCheck } from './authorize-request.ts'

/**
 * - the tenant path segment is a GUID or domain of the directory, or common / organizations / consumers
 * - an unknown tenant is shown on a page (AADSTS90002), never redirected
 */
export const checkTenant: AuthorizeCheck = (request) => {
  request.tenant = request.context.directory.resolveTenant(request.tenantSegment)
  if (!request.tenant) throw new PageError(aadsts.tenantNotFound(request.tenantSegment))
}
