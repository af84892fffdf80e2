/**
 * `status`: who is signed in on a connection, in which tenant, with which permissions, until when — read from the kept
 * tokens, no network; `connectionSummary` and `SUMMARY_LABELS` (also what `login` prints).
 */
import { cachedTokens, createConnectionStore, type ConnectionRecord } from '../../core/index.ts'
import { tokenClaims } from '../app-only-sign-in.ts'
import { reportFailure } from '../cli-failure.ts'
import { EXIT, type Command, type OptionValues } from '../command.ts'
import {
  CONNECTION_HELP,
  CONNECTION_OPTION,
  formatAndConnection,
  settingsOrExit,
} from '../common-options.ts'
import { formatRecord, OUTPUT_HELP, OUTPUT_OPTION } from '../output.ts'

export const SUMMARY_LABELS: Record<string, string> = {
  connection: 'Connection',
  signedIn: 'Signed in',
  kind: 'Kind',
  account: 'Account',
  tenant: 'Tenant',
  clientId: 'Client id',
  authority: 'Authority',
  graph: 'Graph',
  permissions: 'Permissions',
  accessTokenExpires: 'Token expires',
  renewal: 'Renewal',
  emulatorDataDir: 'Emulator data',
  otherConnections: 'Other connections',
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'who is signed in, in which tenant, with which permissions, until when',
  synopsis: '[--connection <name>] [--output text|json|csv|md]',
  details: [
    'Reads the kept tokens only (no network). Exit 3 when the connection is not signed in.',
    CONNECTION_HELP,
    OUTPUT_HELP,
  ],
  options: { ...CONNECTION_OPTION, ...OUTPUT_OPTION },
  oneShot: true,
  run: (values) => status(values),
}

async function status(values: OptionValues): Promise<number> {
  const options = formatAndConnection('status', values)
  if (typeof options === 'number') return options
  const { format, name } = options
  const settings = settingsOrExit()
  if (typeof settings === 'number') return settings
  try {
    const store = createConnectionStore(settings.home)
    const record = store.read(name)
    const others = store.names().filter((other) => other !== name)
    const summary: Record<string, unknown> = record
      ? connectionSummary(record)
      : { connection: name, signedIn: false, otherConnections: others.length ? others : undefined }
    if (record && others.length) summary.otherConnections = others
    if (record || format !== 'text')
      process.stdout.write(formatRecord(summary, SUMMARY_LABELS, format))
    if (!record)
      process.stderr.write(
        `Not signed in (connection "${name}"): run graph-connect login${name === 'default' ? '' : ` --connection ${name}`}.${
          others.length ? ` Other connections: ${others.join(', ')}.` : ''
        }\n`,
      )
    return record ? EXIT.ok : EXIT.notSignedIn
  } catch (error) {
    return reportFailure(error, { connection: name })
  }
}

/** The connection as status and login show it. */
export function connectionSummary(record: ConnectionRecord): Record<string, unknown> {
  const tokens = cachedTokens(record.msalCache)
  const expires = tokens.accessTokenExpiresOn
  return {
    connection: record.name,
    signedIn: true,
    kind: record.kind,
    account: record.account ? `${record.account.name} <${record.account.username}>` : undefined,
    tenant: record.account?.tenantId ?? record.tenantId,
    clientId: record.clientId,
    authority: record.authority,
    graph: record.graphBaseUrl,
    permissions: record.kind === 'app-only' ? appRoles(record.msalCache) : tokens.scopes,
    accessTokenExpires: expires ? `${expires.toISOString()} (${inWords(expires)})` : undefined,
    renewal:
      record.kind === 'app-only'
        ? 'a new token from the kept credential when needed'
        : tokens.refreshToken
          ? 'silent, with the kept refresh token'
          : 'none: run graph-connect login when it expires',
    emulatorDataDir: record.emulatorDataDir,
  }
}

function inWords(date: Date): string {
  const minutes = Math.round((date.getTime() - Date.now()) / 60_000)
  if (minutes < 0) return `expired ${-minutes} min ago`
  return minutes < 120 ? `in ${minutes} min` : `in ${Math.round(minutes / 60)} h`
}

/** The application permissions (roles) of the kept app-only access token. */
function appRoles(serialized: string): string[] {
  if (!serialized) return []
  const cache = JSON.parse(serialized) as { AccessToken?: Record<string, { secret?: string }> }
  const token = Object.values(cache.AccessToken ?? {})[0]?.secret
  const roles = token ? tokenClaims(token).roles : undefined
  return Array.isArray(roles) ? roles.map(String) : []
}
