/** checkResponseType: the authorize request's response_type. */
import { aadsts } from '../oauth-error.ts'
import type { AuthorizeCheck } from './authorize-request.ts'

/** Response_type is required (AADSTS900144) and must be `code` (the implicit grant is not enabled: AADSTS700054). */
export const checkResponseType: AuthorizeCheck = (request) => {
  const type = request.params.response_type
  if (!type) throw aadsts.missingParameter('response_type')
  if (type !== 'code') throw aadsts.unsupportedResponseType()
}
