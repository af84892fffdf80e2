/**
 * `createConnectionStore` and `cliHome`: the command line's named connections (who is signed in where, and msal's
 * token cache), one file each, sealed with AES-256-GCM (sealer.ts) under a random key kept in a separate file; the
 * folder 0700, every file 0600. `ConnectionRecord`, `ConnectionStore`.
 */
import { randomBytes } from 'node:crypto'
import {
  chmodSync,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { AppError } from '../errors.ts'
import { keptSecret } from '../kept-secret.ts'
import { ownerOnlyFolder } from '../owner-only.ts'
import type { OpenIdMetadata } from './authority.ts'
import { createSealer, type Sealer } from './sealer.ts'

/** A user's account, as msal names it (delegated connections). */
export interface ConnectionAccount {
  homeAccountId: string
  /** preferred_username, e.g. adele@contoso.test. */
  username: string
  name: string
  tenantId: string
  /** The user's object id. */
  oid: string
}

/** What an app-only connection needs to ask for tokens again: the secret itself, or the certificate file's path. */
export type StoredCredential =
  { kind: 'secret'; secret: string } | { kind: 'certificate'; path: string }

export interface ConnectionRecord {
  name: string
  kind: 'delegated' | 'app-only'
  clientId: string
  /** As signed in to, no trailing slash, e.g. https://login.microsoftonline.com/<tenant>. */
  authority: string
  /** No trailing slash, e.g. https://graph.microsoft.com/v1.0. */
  graphBaseUrl: string
  /** Asked for at sign-in (delegated: short names; app-only: `<graph>/.default`). */
  scopes: string[]
  /** The authority's OpenID metadata, kept so that a command makes no discovery call. */
  metadata: OpenIdMetadata
  account?: ConnectionAccount
  /** App-only: the tenant the authority names. */
  tenantId?: string
  credential?: StoredCredential
  /** msal's serialized token cache ('' when empty). */
  msalCache: string
  /** Against the emulator: its data folder, where an in-process emulator is started when none answers. */
  emulatorDataDir?: string
  /** ISO dates. */
  createdAt: string
  updatedAt: string
}

export interface ConnectionStore {
  /** The folder, e.g. ~/.config/graph-connect. */
  readonly home: string
  /** Undefined when there is no such connection; ERR_STORE_UNAVAILABLE when its file cannot be read or opened. */
  read(name: string): ConnectionRecord | undefined
  /** Seals and writes the record atomically (a reader sees the old file or the new one, never half of one). */
  write(record: ConnectionRecord): void
  /** True when there was one. */
  delete(name: string): boolean
  names(): string[]
}

/** Connection names: what a file name can hold on every system. */
export const CONNECTION_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

/**
 * Where the command line keeps its connections: GRAPH_CONNECT_HOME, else $XDG_CONFIG_HOME/graph-connect, else
 * ~/.config/graph-connect (on every system: one place to document, and the one most CLIs use).
 */
export function cliHome(env: Record<string, string | undefined>): string {
  if (env.GRAPH_CONNECT_HOME?.trim()) return resolve(env.GRAPH_CONNECT_HOME.trim())
  const config = env.XDG_CONFIG_HOME?.trim() || join(env.HOME?.trim() || homedir(), '.config')
  return join(resolve(config), 'graph-connect')
}

/** The store in `home`, made (0700) with its key file (0600) on the first write. */
export function createConnectionStore(home: string): ConnectionStore {
  const folder = join(home, 'connections')
  let sealer: Sealer | undefined
  const sealerFor = () => {
    if (sealer) return sealer
    ownerOnlyFolder(home)
    if (statSync(home).mode & 0o077) chmodSync(home, 0o700) // ours: never readable by others
    sealer = createSealer(keptSecret(join(home, 'key')), `the key file ${join(home, 'key')}`)
    return sealer
  }
  const fileOf = (name: string) => {
    if (!CONNECTION_NAME.test(name)) throw new Error(`"${name}" is not a connection name`)
    return join(folder, `${name}.json`)
  }
  return {
    home,
    read(name) {
      const file = fileOf(name)
      if (!existsSync(file)) return undefined
      try {
        const { sealed } = JSON.parse(readFileSync(file, 'utf8')) as { sealed: string }
        return JSON.parse(sealerFor().open(sealed)!) as ConnectionRecord
      } catch (error) {
        if (error instanceof AppError) throw error
        throw new AppError('ERR_STORE_UNAVAILABLE', {
          message: `The connection file ${file} cannot be read: ${(error as Error).message}`,
          cause: error,
        })
      }
    },
    write(record) {
      const file = fileOf(record.name)
      const sealed = sealerFor().seal(JSON.stringify(record))
      ownerOnlyFolder(folder)
      const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`
      writeFileSync(draft, `${JSON.stringify({ name: record.name, sealed })}\n`, { mode: 0o600 })
      try {
        renameSync(draft, file)
      } catch (error) {
        rmSync(draft, { force: true })
        throw error
      }
    },
    delete(name) {
      const file = fileOf(name)
      if (!existsSync(file)) return false
      unlinkSync(file)
      return true
    },
    names() {
      if (!existsSync(folder)) return []
      return readdirSync(folder)
        .filter((entry) => entry.endsWith('.json'))
        .map((entry) => entry.slice(0, -'.json'.length))
        .filter((name) => CONNECTION_NAME.test(name))
        .sort()
    },
  }
}
