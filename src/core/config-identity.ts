/** `readIdentity`, `readScopes` and `certificateCredential`: who the app is to Entra ID and Graph (client id, credential, authority). */
import { readFileSync } from 'node:fs'
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { configDefaults as defaults } from './config-defaults.ts'
import { isLoopbackHost, withoutTrailingSlash, type SettingsReader } from './config-parsers.ts'

export type ClientCredential =
  | { kind: 'secret'; secret: string }
  | {
      kind: 'certificate'
      path: string
      privateKey: string
      certificate: string
      thumbprintSha256: string
    }

/** The app registration and the services it talks to. */
export interface Identity {
  clientId: string
  credential: ClientCredential
  /** Without a trailing slash, e.g. https://login.microsoftonline.com/common. */
  authority: string
  /** Without a trailing slash, e.g. https://graph.microsoft.com/v1.0. */
  graphBaseUrl: string
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/
const PRIVATE_KEY_BLOCK =
  /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC )?PRIVATE KEY-----/

/** CLIENT_ID, CLIENT_SECRET or CLIENT_CERTIFICATE_PATH, AUTHORITY (not loopback in production), GRAPH_BASE_URL. */
export function readIdentity(read: SettingsReader, production: boolean): Identity {
  const clientId = readClientId(read)
  const credential = readCredential(read) ?? { kind: 'secret', secret: '' }
  const authority = readAuthority(read, production)
  const graphUrl = read.url(
    'GRAPH_BASE_URL',
    defaults.GRAPH_BASE_URL,
    'https://graph.microsoft.com/v1.0',
  )
  const graphBaseUrl = graphUrl ? withoutTrailingSlash(graphUrl) : defaults.GRAPH_BASE_URL
  return { clientId, credential, authority, graphBaseUrl }
}

/** SCOPES, de-duplicated; openid is required (the app signs users in). */
export function readScopes(read: SettingsReader): string[] {
  const scopes = [
    ...new Set(
      read
        .string('SCOPES', defaults.SCOPES)
        .split(/[\s,]+/)
        .filter(Boolean),
    ),
  ]
  if (!scopes.includes('openid'))
    read.problem(
      'SCOPES',
      'must include openid (the app signs users in).',
      `Set SCOPES to e.g. "${defaults.SCOPES}".`,
    )
  return scopes
}

function readClientId(read: SettingsReader): string {
  const clientId = read.raw('CLIENT_ID') ?? ''
  if (!clientId)
    read.problem(
      'CLIENT_ID',
      'is missing.',
      'Set CLIENT_ID to the Application (client) ID of your app registration, or unset it and run `npm start` to use the embedded emulator.',
    )
  else if (/\s/.test(clientId))
    read.problem(
      'CLIENT_ID',
      'contains spaces.',
      "Copy the Application (client) ID from the app registration's Overview page.",
    )
  return clientId
}

/** Exactly one of CLIENT_SECRET and CLIENT_CERTIFICATE_PATH. */
function readCredential(read: SettingsReader): ClientCredential | undefined {
  const secret = read.raw('CLIENT_SECRET')
  const path = read.raw('CLIENT_CERTIFICATE_PATH')
  if (secret && path) {
    read.problem(
      'CLIENT_SECRET',
      'and CLIENT_CERTIFICATE_PATH are both set; exactly one credential is used.',
      'Remove one of them (a certificate is preferred in production).',
    )
    return undefined
  }
  if (secret) return { kind: 'secret', secret }
  if (path) return readCertificate(read, path)
  read.problem(
    'CLIENT_SECRET',
    'is missing (and no CLIENT_CERTIFICATE_PATH either).',
    'Create a client secret under Certificates & secrets in the app registration and set CLIENT_SECRET to its Value (not its ID), or set CLIENT_CERTIFICATE_PATH.',
  )
  return undefined
}

/** One PEM file holding the private key and the certificate uploaded to the app registration. */
function readCertificate(read: SettingsReader, path: string): ClientCredential | undefined {
  try {
    return certificateCredential(path)
  } catch (error) {
    read.problem(
      'CLIENT_CERTIFICATE_PATH',
      `cannot be used: ${(error as Error).message}.`,
      'Point it at one PEM file holding the private key and the certificate uploaded to the app registration (cat key.pem cert.pem > app.pem).',
    )
    return undefined
  }
}

/**
 * The certificate credential in one PEM file (private key + certificate); throws, saying what is wrong, when the file
 * cannot be read or lacks either block. Used by the app's configuration and by the CLI's `login --certificate`.
 */
export function certificateCredential(
  path: string,
): Extract<ClientCredential, { kind: 'certificate' }> {
  const pem = readFileSync(path, 'utf8')
  const certificate = pem.match(CERTIFICATE_BLOCK)?.[0]
  const privateKey = pem.match(PRIVATE_KEY_BLOCK)?.[0]
  if (!certificate || !privateKey)
    throw new Error('the file must hold both a PRIVATE KEY and a CERTIFICATE block')
  createPrivateKey(privateKey)
  const thumbprintSha256 = new X509Certificate(certificate).fingerprint256.replaceAll(':', '')
  return { kind: 'certificate', path, privateKey, certificate, thumbprintSha256 }
}

/** AUTHORITY with a tenant in its path; a loopback authority (the emulator) is refused in production. */
function readAuthority(read: SettingsReader, production: boolean): string {
  const url = read.url(
    'AUTHORITY',
    defaults.AUTHORITY,
    'https://login.microsoftonline.com/<tenant id>',
  )
  if (!url) return defaults.AUTHORITY
  if (url.pathname.replace(/\/+$/, '') === '') {
    read.problem(
      'AUTHORITY',
      'has no tenant in its path.',
      'Add the tenant: https://login.microsoftonline.com/<tenant id | organizations | common>.',
    )
  }
  if (production && isLoopbackHost(url.hostname)) {
    read.problem(
      'AUTHORITY',
      'points at a loopback host (the emulator) while NODE_ENV=production.',
      'Use your Entra authority in production, or set NODE_ENV=development.',
    )
  }
  return withoutTrailingSlash(url)
}
