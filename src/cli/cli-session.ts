/**
 * `openCliSession`: a signed-in connection made ready for a command — its kept tokens (refreshed silently, saved back
 * sealed), a Graph client on any mailbox, and the emulator reached or started in process when the connection is the
 * emulator's. `CliSession`.
 */
import {
  AuthError,
  certificateCredential,
  createAppOnlyClient,
  createConnectionStore,
  createGraphClient,
  createHttpFetch,
  createPublicClient,
  resolveAuthority,
  type CacheHolder,
  type ConnectionRecord,
  type GraphClient,
  type ResolvedAuthority,
} from '../core/index.ts'
import { reportFailure, say } from './cli-failure.ts'
import type { CliSettings } from './cli-settings.ts'
import { emulatorFallbackFetch } from './emulator-link.ts'

export interface CliSession {
  record: ConnectionRecord
  /**
   * A Graph client acting on `mailbox` (an address or id), or on the signed-in user's own mailbox; `retryBudgetMs` 0
   * for a caller that paces and retries itself (a merge).
   */
  graph(mailbox?: string, options?: { retryBudgetMs?: number }): GraphClient
  /** The permissions the access token carries (delegated `scp`, or app-only `roles`), read from the token. */
  permissions(): Promise<string[]>
  /** True once this command started an emulator in its own process (none answered). */
  emulatorStarted(): boolean
  /** Stops the emulator this command started, if any, saying so. */
  close(): Promise<void>
}

/** The session, or the exit code of why it could not be opened, reported on stderr (not signed in: 3). */
export async function sessionOrExit(
  settings: Readonly<CliSettings>,
  name: string,
): Promise<CliSession | number> {
  try {
    return await openCliSession(settings, name)
  } catch (error) {
    return reportFailure(error, { connection: name })
  }
}

/** ERR_AUTH_INTERACTION_REQUIRED when the connection does not exist: "Not signed in" (exit 3). */
export async function openCliSession(
  settings: Readonly<CliSettings>,
  name: string,
): Promise<CliSession> {
  const store = createConnectionStore(settings.home)
  const record = store.read(name)
  if (!record)
    throw new AuthError('ERR_AUTH_INTERACTION_REQUIRED', {
      message: `Not signed in (no connection "${name}" in ${settings.home})`,
    })
  const network = createHttpFetch()
  const link = record.emulatorDataDir
    ? emulatorFallbackFetch(new URL(record.authority).origin, record.emulatorDataDir, network)
    : undefined
  const fetch = link?.fetch ?? network
  const authority = await resolveAuthority(
    record.authority,
    fetch,
    settings.idpTimeoutMs,
    record.metadata,
  )
  const cache: CacheHolder = {
    load: () => record.msalCache,
    save(serialized) {
      record.msalCache = serialized
      record.updatedAt = new Date().toISOString()
      store.write(record) // at once: a refreshed token is kept even if the command fails later
    },
  }
  const token = tokenSource(record, { authority, fetch, cache, timeoutMs: settings.idpTimeoutMs })
  return {
    record,
    graph: (mailbox, options) =>
      createGraphClient({
        baseUrl: record.graphBaseUrl,
        fetch,
        token,
        timeoutMs: settings.graphTimeoutMs,
        retryBudgetMs: options?.retryBudgetMs ?? settings.graphRetryBudgetMs,
        mailbox,
      }),
    permissions: async () => tokenPermissions(await token()) ?? record.scopes,
    emulatorStarted: () => link?.started() ?? false,
    async close() {
      if (!link?.started()) return
      await link.close()
      say(
        `no emulator answered at ${new URL(record.authority).origin}: this command ran one in its own process, on ${record.emulatorDataDir}.`,
      )
    },
  }
}

interface TokenParts {
  authority: ResolvedAuthority
  fetch: typeof fetch
  cache: CacheHolder
  timeoutMs: number
}

/** Delegated: msal's silent acquisition for the account; app-only: client credentials with the kept credential. */
function tokenSource(record: ConnectionRecord, parts: TokenParts): () => Promise<string> {
  const { clientId } = record
  if (record.kind === 'delegated') {
    let client: ReturnType<typeof createPublicClient> | undefined
    return async () => {
      client ??= createPublicClient({ clientId, ...parts })
      return (await (await client).token(record.account!, record.scopes)).accessToken
    }
  }
  let appOnly: ReturnType<typeof createAppOnlyClient> | undefined
  return async () => {
    appOnly ??= createAppOnlyClient({ clientId, credential: keptCredential(record), ...parts })
    return (await appOnly.token(record.scopes)).accessToken
  }
}

function keptCredential(record: ConnectionRecord) {
  const kept = record.credential
  if (kept?.kind === 'secret') return kept
  if (kept?.kind !== 'certificate')
    throw new AuthError('ERR_AUTH_INTERACTION_REQUIRED', {
      message: `Not signed in (connection "${record.name}" keeps no credential)`,
    })
  try {
    return certificateCredential(kept.path)
  } catch (error) {
    throw new Error(
      `The certificate file ${kept.path} of connection "${record.name}" cannot be used (${(error as Error).message}): run graph-connect login --certificate <file> again.`,
      { cause: error },
    )
  }
}

/**
 * The `scp` (delegated) or `roles` (app-only) claim of an access token, read without checking it: it only chooses how
 * a merge sends (Graph itself checks the token). Undefined when the token is not a readable JWT.
 */
function tokenPermissions(accessToken: string): string[] | undefined {
  try {
    const payload = JSON.parse(
      Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString(),
    ) as {
      scp?: string
      roles?: string[]
    }
    if (typeof payload.scp === 'string') return payload.scp.split(' ').filter(Boolean)
    if (Array.isArray(payload.roles)) return payload.roles.map(String)
  } catch {
    // not a JWT (some tenants' tokens are opaque): the caller falls back to what was asked at login
  }
  return undefined
}
