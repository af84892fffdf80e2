/** Reads a fixtures file (tenant, users, apps) — the demo one or a user-supplied one. */
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import type { NewApp, NewUser, Tenant } from './directory-records.ts'

export interface Fixtures {
  tenant?: Tenant
  users: NewUser[]
  apps: NewApp[]
}

/** Parses a fixtures file; `certificateFiles` of an app are PEM paths relative to the file. */
export function loadFixtures(file: string): Fixtures {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as {
    tenant?: Tenant
    users?: NewUser[]
    apps?: (NewApp & { certificateFiles?: string[] })[]
  }
  const apps = (raw.apps ?? []).map(({ certificateFiles = [], ...app }) => ({
    ...app,
    certificatePems: [
      ...(app.certificatePems ?? []),
      ...certificateFiles.map((path) => readFileSync(resolve(dirname(file), path), 'utf8')),
    ],
  }))
  for (const user of raw.users ?? []) {
    if (!user.userPrincipalName || !user.password)
      throw new Error(`${file}: every user needs userPrincipalName and password`)
  }
  for (const app of apps) if (!app.clientId) throw new Error(`${file}: every app needs a clientId`)
  return { tenant: raw.tenant, users: raw.users ?? [], apps }
}
