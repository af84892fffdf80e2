/** checkClientAssertion: a private_key_jwt client assertion, checked as Entra does. */
import { constants, createPublicKey, verify } from 'node:crypto'
import type { App } from '../../state/directory.ts'
import { aadsts } from '../oauth-error.ts'

const SKEW_SECONDS = 300

/**
 * - the assertion is a compact JWS signed RS256 or PS256 by a certificate registered on the app,
 * - aud is the token endpoint (AADSTS700212); iss = sub = client_id (AADSTS700021)
 * - exp is in the future and nbf not in the future, with 5 minutes of clock skew (AADSTS700024)
 */
export function decodeJwtPart(jwt: string, index: 0 | 1): Record<string, unknown> | undefined {
  const part = jwt.split('.')[index]
  if (!part) return undefined
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

export function checkClientAssertion(app: App, assertion: string, tokenEndpoints: string[]): void {
  const parts = assertion.split('.')
  const header = decodeJwtPart(assertion, 0)
  const claims = decodeJwtPart(assertion, 1)
  if (parts.length !== 3 || !header || !claims)
    throw aadsts.badAssertion('The assertion is not a well-formed JWT.')
  const toHex = (value: unknown) =>
    typeof value === 'string'
      ? Buffer.from(value, 'base64url').toString('hex').toUpperCase()
      : undefined
  const sha1 = toHex(header.x5t)
  const sha256 = toHex(header['x5t#S256'])
  const certificate = app.certificates.find(
    (candidate) =>
      (sha1 && candidate.thumbprintSha1 === sha1) ||
      (sha256 && candidate.thumbprintSha256 === sha256),
  )
  if (!certificate) throw aadsts.unknownCertificate(sha256 ?? sha1 ?? '', app.clientId)
  const key = createPublicKey(certificate.publicKeyPem)
  const data = Buffer.from(`${parts[0]}.${parts[1]}`)
  const signature = Buffer.from(parts[2]!, 'base64url')
  const valid =
    header.alg === 'RS256'
      ? verify('sha256', data, key, signature)
      : header.alg === 'PS256'
        ? verify(
            'sha256',
            data,
            { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
            signature,
          )
        : false
  if (!valid) throw aadsts.badAssertionSignature()
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud]
  if (!aud.some((value) => typeof value === 'string' && tokenEndpoints.includes(value)))
    throw aadsts.assertionAudience(String(claims.aud))
  if (claims.iss !== app.clientId || claims.sub !== app.clientId) throw aadsts.assertionIssuer()
  const now = Date.now() / 1000
  if (typeof claims.exp !== 'number' || claims.exp + SKEW_SECONDS < now)
    throw aadsts.assertionExpired()
  if (typeof claims.nbf === 'number' && claims.nbf - SKEW_SECONDS > now)
    throw aadsts.assertionExpired()
}
