/** checkPrompt: the authorize request's prompt. */
import { OAuthError } from '../oauth-error.ts'
import type { AuthorizeCheck, AuthorizeRequest } from './authorize-request.ts'

const PROMPTS = ['login', 'none', 'consent', 'select_account'] as const

/** Prompt is one of login, none, consent, select_account (admin_consent is treated as consent). */
export const checkPrompt: AuthorizeCheck = (request) => {
  const prompt = request.params.prompt === 'admin_consent' ? 'consent' : request.params.prompt
  if (prompt === undefined || prompt === '') return
  if (!PROMPTS.includes(prompt as AuthorizeRequest['prompt'] & string)) {
    throw new OAuthError(400, 'invalid_request', 90023, `Invalid prompt value '${prompt}'.`)
  }
  request.prompt = prompt as AuthorizeRequest['prompt']
}
