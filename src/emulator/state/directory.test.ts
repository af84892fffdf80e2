/** The directory: fixtures, users and apps added at run time, consents, persistence. */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { ALL_PRINCIPALS, createDirectory } from './directory.ts'
import { openDatabase } from './db.ts'

test('seeds the demo tenant, users with photos and the demo app', () => {
  const directory = createDirectory(openDatabase())
  assert.equal(directory.tenant.domain, 'contoso.test')
  assert.ok(directory.listUsers().length >= 4)
  const adele = directory.findUser('ADELE@contoso.test')
  assert.equal(adele?.displayName, 'Adele Vance')
  assert.equal(directory.findUser(adele!.id)?.mail, 'adele@contoso.test')
  const photo = directory.userPhoto(adele!.id)
  assert.equal(photo?.contentType, 'image/png')
  assert.deepEqual([...photo!.bytes.slice(1, 4)], [80, 78, 71])
  const app = directory.findApp('4B0C7F3E-5A1D-4E92-8F6B-1D3C5E7A9B20')
  assert.ok(app?.redirectUris.includes('http://127.0.0.1:8000/connect/get_token/'))
  assert.match(app!.certificates[0]!.thumbprintSha256, /^[0-9A-F]{64}$/)
})

test('resolves tenants by GUID, domain and the special names, case-insensitively', () => {
  const directory = createDirectory(openDatabase())
  assert.equal(directory.resolveTenant('Contoso.TEST'), directory.tenant)
  assert.equal(directory.resolveTenant(directory.tenant.id.toUpperCase()), directory.tenant)
  assert.equal(directory.resolveTenant('Common'), 'common')
  assert.equal(directory.resolveTenant('fabrikam.test'), undefined)
})

test("consent is per user and app; an admin's consent counts for every user", () => {
  const directory = createDirectory(openDatabase())
  const [adele, lea] = directory.listUsers()
  assert.deepEqual(directory.grantedScopes(adele!.id, 'app'), [])
  directory.grantConsent(adele!.id, 'app', ['https://graph.microsoft.com/User.Read', 'openid'])
  assert.deepEqual(directory.grantedScopes(adele!.id, 'app'), ['User.Read', 'openid'])
  assert.deepEqual(directory.grantedScopes(lea!.id, 'app'), [])
  assert.deepEqual(directory.grantedScopes(adele!.id, 'other'), [])
  directory.grantConsent(ALL_PRINCIPALS, 'app', ['Mail.Read', 'USER.READ'])
  assert.deepEqual(directory.grantedScopes(lea!.id, 'app'), ['Mail.Read', 'USER.READ'])
  assert.deepEqual(directory.grantedScopes(adele!.id, 'app'), ['User.Read', 'openid', 'Mail.Read'])
  assert.equal(directory.consents('app').length, 4)
})

test('apps carry configured permissions (User.Read by default, as Entra) and granted roles', () => {
  const directory = createDirectory(openDatabase())
  const plain = directory.addApp({ clientId: 'plain', appRoles: ['mail.send'] })
  assert.deepEqual(plain.requiredPermissions, {
    delegated: ['User.Read'],
    application: ['Mail.Send'],
  })
  assert.deepEqual(plain.appRoles, ['Mail.Send'])
  const manifest = directory.addApp({
    clientId: 'manifest',
    requiredPermissions: { delegated: ['Calendars.Read'] },
    requiredResourceAccess: [
      {
        resourceAppId: '00000003-0000-0000-c000-000000000000',
        resourceAccess: [
          { id: '570282fd-fa5c-430d-a7fd-fc8dc98a9dca', type: 'Scope' },
          { value: 'Mail.Read', type: 'Role' },
        ],
      },
      { resourceAppId: 'another-api', resourceAccess: [{ id: 'x', type: 'Scope' }] },
    ],
  })
  assert.deepEqual(manifest.requiredPermissions, {
    delegated: ['Calendars.Read', 'Mail.Read'],
    application: ['Mail.Read'],
  })
  assert.deepEqual(manifest.appRoles, [], 'configured, not granted')
  assert.deepEqual(directory.grantAppRoles('manifest', ['Mail.Read']).appRoles, ['Mail.Read'])
  assert.throws(() => directory.addApp({ clientId: 'bad', appRoles: ['User.Read'] }), /application/)
  assert.throws(
    () => directory.addApp({ clientId: 'bad', requiredPermissions: { delegated: ['Nope.Nope'] } }),
    /Nope\.Nope/,
  )
})

test('state survives a restart; reset returns to the fixtures', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emulator-'))
  try {
    const first = createDirectory(openDatabase(dir))
    first.addUser({
      userPrincipalName: 'zoe@contoso.test',
      password: 'x',
      givenName: 'Zoé',
      surname: 'Durand',
    })
    first.addRedirectUri('4b0c7f3e-5a1d-4e92-8f6b-1d3c5e7a9b20', 'http://localhost:9999/cb')
    const second = createDirectory(openDatabase(dir))
    assert.equal(second.findUser('zoe@contoso.test')?.displayName, 'Zoé Durand')
    assert.ok(
      second
        .findApp('4b0c7f3e-5a1d-4e92-8f6b-1d3c5e7a9b20')
        ?.redirectUris.includes('http://localhost:9999/cb'),
    )
    second.reset()
    assert.equal(second.findUser('zoe@contoso.test'), undefined)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a fixtures file adds users, apps, secrets and redirect URIs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixtures-'))
  try {
    const file = join(dir, 'extra.json')
    const { writeFileSync, readFileSync } = await import('node:fs')
    writeFileSync(
      join(dir, 'cert.pem'),
      readFileSync(new URL('../fixtures/demo-app-cert.pem', import.meta.url)),
    )
    writeFileSync(
      file,
      JSON.stringify({
        users: [
          {
            userPrincipalName: 'omar@contoso.test',
            password: 'Omar.Demo1',
            givenName: 'Omar',
            surname: 'Haddad',
            jobTitle: 'Buyer',
          },
        ],
        apps: [
          {
            clientId: '11111111-2222-3333-4444-555555555555',
            displayName: 'Other app',
            secrets: [{ id: 's', value: 'v', expiresAt: '2099-01-01T00:00:00Z' }],
            redirectUris: ['http://localhost:3000/cb'],
            certificateFiles: ['cert.pem'],
          },
        ],
      }),
    )
    const directory = createDirectory(openDatabase(), file)
    assert.equal(directory.findUser('omar@contoso.test')?.jobTitle, 'Buyer')
    assert.equal(directory.findUser('adele@contoso.test')?.displayName, 'Adele Vance')
    const app = directory.findApp('11111111-2222-3333-4444-555555555555')
    assert.deepEqual(app?.redirectUris, ['http://localhost:3000/cb'])
    assert.equal(app?.certificates.length, 1)
    directory.reset()
    assert.ok(directory.findUser('omar@contoso.test'), 'reset returns to demo + fixtures file')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a data folder of an older emulator gets configured permissions and isAdmin from the fixtures', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emulator-'))
  const demoApp = '4b0c7f3e-5a1d-4e92-8f6b-1d3c5e7a9b20'
  try {
    const first = createDirectory(openDatabase(dir))
    first.addApp({ clientId: 'old-app', appRoles: ['Mail.Send'] })
    const db = openDatabase(dir)
    for (const row of db.prepare('SELECT client_id, data FROM apps').all()) {
      const { requiredPermissions: _configured, ...old } = JSON.parse(String(row.data))
      db.prepare('UPDATE apps SET data = ? WHERE client_id = ?').run(
        JSON.stringify(old),
        row.client_id as string,
      )
    }
    for (const row of db.prepare('SELECT id, data FROM users').all()) {
      const { isAdmin: _admin, ...old } = JSON.parse(String(row.data))
      db.prepare('UPDATE users SET data = ? WHERE id = ?').run(
        JSON.stringify(old),
        row.id as string,
      )
    }
    db.close()
    const upgraded = createDirectory(openDatabase(dir))
    assert.deepEqual(upgraded.findApp(demoApp)?.requiredPermissions, {
      delegated: ['User.Read', 'Mail.Send'],
      application: ['Mail.Send', 'User.Read.All'],
    })
    assert.deepEqual(upgraded.findApp('old-app')?.requiredPermissions, {
      delegated: ['User.Read'],
      application: ['Mail.Send'],
    })
    assert.equal(upgraded.findUser('nestor@contoso.test')?.isAdmin, true)
    assert.equal(upgraded.findUser('adele@contoso.test')?.isAdmin, false)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
