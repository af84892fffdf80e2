/** checkResponseMode: the authorize request's response_mode. */
import { aadsts } from '../oauth-error.ts'
import type { ResponseMode } from '../records.ts'
import type { AuthorizeCheck } from './authorize-request.ts'

const MODES: ResponseMode[] = ['query', 'fragment', 'form_post']

/** Response_mode is query (default), fragment or form_post; anything else is refused (redirected by query). */
export const checkResponseMode: AuthorizeCheck = (request) => {
  const mode = request.params.response_mode
  if (mode === undefined || mode === '') return
  if (!MODES.includes(mode as ResponseMode)) throw aadsts.unsupportedResponseMode(mode)
  request.responseMode = mode as ResponseMode
}
