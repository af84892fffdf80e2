/** checkClient: the authorize request's client_id. */
import { aadsts } from '../oauth-error.ts'
import { PageError, type AuthorizeCheck } from './authorize-request.ts'

/** Client_id is required (AADSTS900144) and must name a registered app (AADSTS700016); both shown on a page. */
export const checkClient: AuthorizeCheck = (request) => {
  const clientId = request.params.client_id
  if (!clientId) throw new PageError(aadsts.missingParameter('client_id'))
  request.app = request.context.directory.findApp(clientId)
  if (!request.app) throw new PageError(aadsts.unknownClient(clientId, request.tenantSegment))
}
