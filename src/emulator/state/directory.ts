/** createDirectory: the tenant, its users and app registrations, kept in SQLite and seeded from JSON fixtures. */
import { X509Certificate } from 'node:crypto'
import type { DatabaseSync } from 'node:sqlite'
import { fileURLToPath } from 'node:url'
import { appPermissions, canonical } from './app-permissions.ts'
import type { App, NewApp, NewUser, Tenant, User } from './directory-records.ts'
import { loadFixtures, type Fixtures } from './fixtures.ts'
import { generatePhoto, PHOTO_SIZE } from './photo.ts'
import { upgradeOldRecords } from './upgrade-records.ts'

export type {
  App,
  NewApp,
  NewUser,
  RequiredPermissions,
  RequiredResourceAccess,
  Tenant,
  User,
} from './directory-records.ts'

/** A user's profile photo. */
export interface Photo {
  contentType: string
  bytes: Uint8Array
}

export interface Directory {
  tenant: Tenant
  resolveTenant(segment: string): Tenant | 'common' | 'organizations' | 'consumers' | undefined
  findUser(idOrUpn: string): User | undefined
  listUsers(): User[]
  userPhoto(id: string): Photo | undefined
  findApp(clientId: string): App | undefined
  addUser(user: NewUser): User
  addApp(app: NewApp): App
  addRedirectUri(clientId: string, uri: string): void
  /** The delegated permissions (and OpenID scopes) granted to the app for this user: theirs and the admin's. */
  grantedScopes(userId: string, clientId: string): string[]
  /** Records consent (canonical names); `ALL_PRINCIPALS` for an admin's consent on behalf of the organization. */
  grantConsent(userId: string, clientId: string, scopes: string[]): void
  /** Grants application permissions (admin consent): they join the app's `appRoles`. */
  grantAppRoles(clientId: string, roles: string[]): App
  /** Every consent recorded, of one app or all. */
  consents(clientId?: string): ConsentRecord[]
  reset(): void
}

/** One consent: a user's (`user` is their id) or, for `ALL_PRINCIPALS`, an admin's for everyone. */
export interface ConsentRecord {
  user: string
  clientId: string
  scope: string
}

/** The `user` of an admin's consent on behalf of the organization (Entra's consentType AllPrincipals). */
export const ALL_PRINCIPALS = 'AllPrincipals'

export const DEMO_FIXTURES = fileURLToPath(new URL('../fixtures/demo.json', import.meta.url))
const SPECIAL_TENANTS = new Set(['common', 'organizations', 'consumers'])

const SCHEMA = `
CREATE TABLE IF NOT EXISTS tenants (id TEXT PRIMARY KEY, domain TEXT NOT NULL, display_name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (id TEXT PRIMARY KEY COLLATE NOCASE, upn TEXT NOT NULL UNIQUE COLLATE NOCASE,
  mail TEXT NOT NULL COLLATE NOCASE, data TEXT NOT NULL, photo BLOB, photo_type TEXT, seq INTEGER);
CREATE TABLE IF NOT EXISTS apps (client_id TEXT PRIMARY KEY COLLATE NOCASE, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS consents (user_id TEXT NOT NULL COLLATE NOCASE, client_id TEXT NOT NULL COLLATE NOCASE,
  scope TEXT NOT NULL COLLATE NOCASE, PRIMARY KEY (user_id, client_id, scope));`

// Longer than a screen: one object of one-line methods over the prepared statements.
export function createDirectory(db: DatabaseSync, fixturesFile?: string): Directory {
  db.exec(SCHEMA)
  redrawOldPhotos(db)
  const sources = () => [
    loadFixtures(DEMO_FIXTURES),
    ...(fixturesFile ? [loadFixtures(fixturesFile)] : []),
  ]
  const q = prepareQueries(db)

  const directory: Directory = {
    tenant: undefined as unknown as Tenant,
    resolveTenant(segment) {
      const name = segment.toLowerCase()
      if (SPECIAL_TENANTS.has(name)) return name as 'common' | 'organizations' | 'consumers'
      const tenant = directory.tenant
      return name === tenant.id.toLowerCase() || name === tenant.domain.toLowerCase()
        ? tenant
        : undefined
    },
    findUser(idOrUpn) {
      const row = q.user.get(idOrUpn, idOrUpn, idOrUpn) as { data: string } | undefined
      return row ? (JSON.parse(row.data) as User) : undefined
    },
    listUsers: () =>
      (q.users.all() as { data: string }[]).map((row) => JSON.parse(row.data) as User),
    userPhoto(id) {
      const row = q.photo.get(id) as
        { photo: Uint8Array | null; photo_type: string | null } | undefined
      return row?.photo
        ? { contentType: row.photo_type ?? 'image/png', bytes: row.photo }
        : undefined
    },
    findApp(clientId) {
      const row = q.app.get(clientId) as { data: string } | undefined
      return row ? (JSON.parse(row.data) as App) : undefined
    },
    addUser(input) {
      const user = completeUser(input, directory.tenant)
      q.putUser.run(
        user.id,
        user.userPrincipalName,
        user.mail,
        JSON.stringify(user),
        generatePhoto(user.displayName),
        'image/png',
      )
      return user
    },
    addApp(input) {
      const app = completeApp(input, directory.tenant)
      q.putApp.run(app.clientId, JSON.stringify(app))
      return app
    },
    addRedirectUri(clientId, uri) {
      const app = directory.findApp(clientId)
      if (!app) throw new Error(`Unknown application ${clientId}`)
      if (!app.redirectUris.includes(uri)) app.redirectUris.push(uri)
      q.putApp.run(app.clientId, JSON.stringify(app))
    },
    grantedScopes: (userId, clientId) =>
      (q.granted.all(userId, ALL_PRINCIPALS, clientId) as { scope: string }[]).map(
        (row) => row.scope,
      ),
    grantConsent(userId, clientId, scopes) {
      for (const scope of scopes.map(shortScope)) q.grant.run(userId, clientId, scope)
    },
    grantAppRoles(clientId, roles) {
      const app = directory.findApp(clientId)
      if (!app) throw new Error(`Unknown application ${clientId}`)
      app.appRoles = [...new Set([...app.appRoles, ...canonical(roles, 'application')])]
      q.putApp.run(app.clientId, JSON.stringify(app))
      return app
    },
    consents: (clientId) =>
      (
        (clientId ? q.appConsents.all(clientId) : q.allConsents.all()) as {
          user_id: string
          client_id: string
          scope: string
        }[]
      ).map((row) => ({ user: row.user_id, clientId: row.client_id, scope: row.scope })),
    reset() {
      db.exec('DELETE FROM consents; DELETE FROM users; DELETE FROM apps; DELETE FROM tenants;')
      seed(db, directory, sources())
    },
  }

  const stored = q.tenant.get() as Tenant | undefined
  if (stored) {
    directory.tenant = { ...stored }
    upgradeOldRecords(db, sources())
    // A fixtures file given at start-up is re-applied (upsert), so edits to it take effect on restart.
    if (fixturesFile) seed(db, directory, [loadFixtures(fixturesFile)])
  } else {
    seed(db, directory, sources())
  }
  return directory
}

/** Applies fixtures in one transaction: the tenant (replaced), then users and apps (upserted). */
function seed(db: DatabaseSync, directory: Directory, all: Fixtures[]): void {
  db.exec('BEGIN')
  try {
    for (const fixtures of all) {
      if (fixtures.tenant) {
        db.prepare('DELETE FROM tenants').run()
        const { id, domain, displayName } = fixtures.tenant
        db.prepare('INSERT INTO tenants (id, domain, display_name) VALUES (?, ?, ?)').run(
          id,
          domain,
          displayName,
        )
        directory.tenant = { id, domain, displayName }
      }
      for (const user of fixtures.users) directory.addUser(user)
      for (const app of fixtures.apps) directory.addApp(app)
    }
    db.exec('COMMIT')
  } catch (error) {
    db.exec('ROLLBACK')
    throw error
  }
}

/** The directory's statements, prepared once. */
function prepareQueries(db: DatabaseSync) {
  return {
    tenant: db.prepare('SELECT id, domain, display_name AS displayName FROM tenants LIMIT 1'),
    user: db.prepare(
      'SELECT data FROM users WHERE id = ? OR upn = ? OR mail = ? ORDER BY seq LIMIT 1',
    ),
    users: db.prepare('SELECT data FROM users ORDER BY seq'),
    photo: db.prepare('SELECT photo, photo_type FROM users WHERE id = ?'),
    putUser:
      db.prepare(`INSERT INTO users (id, upn, mail, data, photo, photo_type, seq) VALUES (?, ?, ?, ?, ?, ?,
      (SELECT coalesce(max(seq), 0) + 1 FROM users)) ON CONFLICT (id) DO UPDATE SET upn = excluded.upn,
      mail = excluded.mail, data = excluded.data, photo = excluded.photo, photo_type = excluded.photo_type`),
    app: db.prepare('SELECT data FROM apps WHERE client_id = ?'),
    putApp: db.prepare(
      'INSERT INTO apps (client_id, data) VALUES (?, ?) ON CONFLICT DO UPDATE SET data = excluded.data',
    ),
    granted: db.prepare(
      'SELECT scope FROM consents WHERE user_id IN (?, ?) AND client_id = ? GROUP BY scope ORDER BY min(rowid)',
    ),
    appConsents: db.prepare('SELECT * FROM consents WHERE client_id = ? ORDER BY rowid'),
    allConsents: db.prepare('SELECT * FROM consents ORDER BY rowid'),
    grant: db.prepare(
      'INSERT OR IGNORE INTO consents (user_id, client_id, scope) VALUES (?, ?, ?)',
    ),
  }
}

/** `https://graph.microsoft.com/Mail.Send` → `Mail.Send`. */
export function shortScope(scope: string): string {
  return scope
    .replace(/^https:\/\/graph\.microsoft\.com\//i, '')
    .replace(/^00000003-0000-0000-c000-000000000000\//i, '')
}

function completeUser(input: NewUser, tenant: Tenant): User {
  const upn = input.userPrincipalName
  const local = upn.split('@')[0] ?? upn
  const givenName = input.givenName ?? local.charAt(0).toUpperCase() + local.slice(1)
  const surname = input.surname ?? ''
  return {
    id: input.id ?? crypto.randomUUID(),
    tenantId: tenant.id,
    displayName: input.displayName ?? [givenName, surname].filter(Boolean).join(' '),
    givenName,
    surname,
    userPrincipalName: upn,
    mail: input.mail ?? upn,
    jobTitle: input.jobTitle ?? null,
    officeLocation: input.officeLocation ?? null,
    businessPhones: input.businessPhones ?? [],
    mobilePhone: input.mobilePhone ?? null,
    preferredLanguage: input.preferredLanguage ?? 'en-US',
    password: input.password,
    ...(input.mailboxSettings ? { mailboxSettings: input.mailboxSettings } : {}),
    isAdmin: input.isAdmin === true,
  }
}

function completeApp(input: NewApp, tenant: Tenant): App {
  const { certificatePems = [], requiredResourceAccess: _manifest, ...rest } = input
  return {
    displayName: input.clientId,
    secrets: [],
    redirectUris: [],
    postLogoutRedirectUris: [],
    ...rest,
    ...appPermissions(input),
    tenantId: tenant.id,
    certificates: [...(input.certificates ?? []), ...certificatePems.map(certificateFromPem)],
  }
}

export function certificateFromPem(pem: string): App['certificates'][number] {
  const certificate = new X509Certificate(pem)
  const hex = (fingerprint: string) => fingerprint.replaceAll(':', '').toUpperCase()
  return {
    thumbprintSha1: hex(certificate.fingerprint),
    thumbprintSha256: hex(certificate.fingerprint256),
    publicKeyPem: certificate.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  }
}

/** A data folder made by an older emulator keeps avatars of another size: redraw them so they match PHOTO_SIZE. */
function redrawOldPhotos(db: DatabaseSync): void {
  const rows = db
    .prepare(
      "SELECT id, data, photo FROM users WHERE photo IS NOT NULL AND photo_type = 'image/png'",
    )
    .all() as { id: string; data: string; photo: Uint8Array }[]
  const update = db.prepare('UPDATE users SET photo = ? WHERE id = ?')
  for (const row of rows) {
    if (row.photo.byteLength > 24 && Buffer.from(row.photo).readUInt32BE(16) === PHOTO_SIZE)
      continue
    update.run(generatePhoto((JSON.parse(row.data) as User).displayName), row.id)
  }
}
