/**
 * The fault matches the suites script most — the token endpoint and Graph's sendMail — as the emulator matches them
 * (a regular expression on the path), and the scripted answers of the token endpoint they share.
 */
import type { FaultMatch } from '../../src/emulator/index.ts'

export const TOKEN_ENDPOINT: FaultMatch = { method: 'POST', path: '/oauth2/v2\\.0/token$' }
export const SEND_MAIL: FaultMatch = { method: 'POST', path: '^/v1\\.0/me/sendMail$' }

/** Entra's OAuth error body: `error`, the AADSTS description, its code in `error_codes`. */
export function oauthError(error: string, aadsts: number, description: string) {
  return {
    error,
    error_description: `AADSTS${aadsts}: ${description}`,
    error_codes: [aadsts],
  }
}
