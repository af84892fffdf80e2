/**
 * upgradeOldRecords: a data folder made by an older emulator keeps apps without configured permissions and users
 * without `isAdmin`; they get them from the fixtures they came from (the demo app: User.Read Mail.Send), else the
 * defaults of a new record.
 */
import type { DatabaseSync } from 'node:sqlite'
import { appPermissions } from './app-permissions.ts'
import type { App, User } from './directory-records.ts'
import type { Fixtures } from './fixtures.ts'

export function upgradeOldRecords(db: DatabaseSync, fixtures: Fixtures[]): void {
  const apps = fixtures.flatMap((file) => file.apps)
  const users = fixtures.flatMap((file) => file.users)
  const putApp = db.prepare('UPDATE apps SET data = ? WHERE client_id = ?')
  for (const row of db.prepare('SELECT client_id, data FROM apps').all() as unknown as AppRow[]) {
    const app = JSON.parse(row.data) as App
    if (app.requiredPermissions) continue
    const source = apps.find((item) => item.clientId.toLowerCase() === app.clientId.toLowerCase())
    const upgraded = {
      ...app,
      ...appPermissions(source ?? { clientId: app.clientId, appRoles: app.appRoles }),
    }
    putApp.run(JSON.stringify(upgraded), row.client_id)
  }
  const putUser = db.prepare('UPDATE users SET data = ? WHERE id = ?')
  for (const row of db.prepare('SELECT id, data FROM users').all() as unknown as UserRow[]) {
    const user = JSON.parse(row.data) as User
    if (typeof user.isAdmin === 'boolean') continue
    const isAdmin = users.some((item) => item.id === user.id && item.isAdmin === true)
    putUser.run(JSON.stringify({ ...user, isAdmin }), row.id)
  }
}

interface AppRow {
  client_id: string
  data: string
}
interface UserRow {
  id: string
  data: string
}
