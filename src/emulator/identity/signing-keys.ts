/**
 * The RS256 signing key: kept in the data folder (created on first start), or made per process in memory mode; its
 * public JWK as Entra publishes it, with the key's self-signed certificate (signing-certificate.ts).
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { signingCertificate } from './signing-certificate.ts'

export interface PublicJwk {
  kty: 'RSA'
  use: 'sig'
  kid: string
  x5t: string
  n: string
  e: string
  /** The certificate, base64 DER (not URL-safe), as RFC 7517 §4.7 and Entra give it. */
  x5c: string[]
}
export interface SigningKeys {
  kid: string
  privateKey: KeyObject
  publicKey: KeyObject
  jwk: PublicJwk
}

export function loadSigningKeys(dataDir?: string): SigningKeys {
  const privateKey = createPrivateKey(
    dataDir ? readOrCreate(join(dataDir, 'signing-key.pem')) : newKeyPem(),
  )
  const publicKey = createPublicKey(privateKey)
  // Entra's kid and x5t are both the base64url SHA-1 thumbprint of the signing certificate.
  const certificate = signingCertificate(privateKey, publicKey)
  const kid = createHash('sha1').update(certificate).digest('base64url')
  const { n, e } = publicKey.export({ format: 'jwk' })
  return {
    kid,
    privateKey,
    publicKey,
    jwk: {
      kty: 'RSA',
      use: 'sig',
      kid,
      x5t: kid,
      n: n!,
      e: e!,
      x5c: [certificate.toString('base64')],
    },
  }
}

function readOrCreate(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8')
  const pem = newKeyPem()
  mkdirSync(join(file, '..'), { recursive: true })
  writeFileSync(file, pem, { mode: 0o600 })
  return pem
}

function newKeyPem(): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
}
