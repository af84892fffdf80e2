/** checkRedirectUri: the authorize request's redirect_uri, against the app's. */
import { aadsts } from '../oauth-error.ts'
import { PageError, type AuthorizeCheck } from './authorize-request.ts'

/**
 * - the app must have a reply URL (AADSTS500113)
 * - redirect_uri must equal a registered one, exactly (AADSTS50011, shown on a page with the URI)
 * - without redirect_uri, an app with a single registered URI uses it (as Entra does)
 */
export const checkRedirectUri: AuthorizeCheck = (request) => {
  const app = request.app!
  const given = request.params.redirect_uri
  if (app.redirectUris.length === 0) throw new PageError(aadsts.noReplyUrl(app.clientId))
  if (given === undefined || given === '') {
    if (app.redirectUris.length === 1) request.redirectUri = app.redirectUris[0]
    else throw new PageError(aadsts.missingParameter('redirect_uri'))
    return
  }
  if (!app.redirectUris.includes(given))
    throw new PageError(aadsts.redirectMismatch(given, app.clientId))
  request.redirectUri = given
}
