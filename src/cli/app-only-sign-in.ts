/**
 * `appOnlySignIn`: the app signs in as itself (client credentials: a secret, or a certificate in one PEM file) — the
 * first token is asked for at once, so a wrong credential is said now — and the connection record to keep;
 * `readCredential` reads `--secret` (or `--secret -`: stdin) and `--certificate`.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import {
  certificateCredential,
  createAppOnlyClient,
  resolveAuthority,
  type ClientCredential,
  type ConnectionRecord,
} from '../core/index.ts'
import type { OptionValues } from './command.ts'
import type { LoginTarget } from './login-target.ts'

/** The credential given, or the problem (one line with its fix). */
export function readCredential(values: OptionValues): ClientCredential | { problem: string } {
  if (typeof values.secret === 'string') {
    const secret = values.secret === '-' ? readFileSync(0, 'utf8').trim() : values.secret
    return secret
      ? { kind: 'secret', secret }
      : { problem: '--secret - read an empty secret from stdin.' }
  }
  const path = resolve(String(values.certificate))
  try {
    return certificateCredential(path)
  } catch (error) {
    return {
      problem: `the certificate file ${path} cannot be used: ${(error as Error).message}. Fix: give one PEM file with the private key and the certificate (cat key.pem cert.pem > app.pem).`,
    }
  }
}

export async function appOnlySignIn(
  target: LoginTarget,
  credential: ClientCredential,
  options: { name: string; idpTimeoutMs: number },
): Promise<ConnectionRecord> {
  const authority = await resolveAuthority(target.authority, target.fetch, options.idpTimeoutMs)
  let serialized = ''
  const client = createAppOnlyClient({
    clientId: target.clientId,
    credential,
    authority,
    fetch: target.fetch,
    timeoutMs: options.idpTimeoutMs,
    cache: { load: () => serialized, save: (value) => void (serialized = value) },
  })
  const scopes = [`${target.graph.resource}/.default`]
  const { accessToken } = await client.token(scopes)
  const now = new Date().toISOString()
  return {
    name: options.name,
    kind: 'app-only',
    clientId: target.clientId,
    authority: target.authority,
    graphBaseUrl: target.graph.baseUrl,
    scopes,
    metadata: { ...authority.metadata },
    tenantId: String(tokenClaims(accessToken).tid ?? target.tenant),
    credential:
      credential.kind === 'secret'
        ? { kind: 'secret', secret: credential.secret }
        : { kind: 'certificate', path: credential.path },
    msalCache: serialized,
    ...(target.emulator ? { emulatorDataDir: target.emulator.dataDir } : {}),
    createdAt: now,
    updatedAt: now,
  }
}

/** An access token's claims, read without checking (only to show them: Graph checks the token). */
export function tokenClaims(token: string): Record<string, unknown> {
  try {
    return JSON.parse(
      Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'),
    ) as Record<string, unknown>
  } catch {
    return {}
  }
}
