/** The committed permission catalogue is what tools/derive-permissions.ts makes of Microsoft's files, and reads right. */
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import {
  CATALOGUE_FILE,
  DEFAULT_METADATA_DIR,
  derivePermissions,
  formatCatalogue,
} from '../../../../tools/derive-permissions.ts'
import { consentText, findPermission, grantingPermissions, permissionById } from './catalogue.ts'

const METADATA_DIR = process.env.GRAPH_METADATA_DIR ?? DEFAULT_METADATA_DIR
const haveSource = existsSync(join(METADATA_DIR, 'permissions.json'))

describe('permission catalogue', () => {
  test(
    'catalogue.json equals what the script derives from the named snapshot',
    { skip: haveSource ? false : `Microsoft's files are not in ${METADATA_DIR}` },
    () => {
      const first = formatCatalogue(derivePermissions(METADATA_DIR))
      assert.equal(formatCatalogue(derivePermissions(METADATA_DIR)), first, 'deterministic')
      assert.equal(readFileSync(CATALOGUE_FILE, 'utf8'), first)
    },
  )

  test('names any scheme case-insensitively, with Entra admin-consent flags per scheme', () => {
    assert.deepEqual(findPermission('mail.read', 'delegated'), {
      name: 'Mail.Read',
      scheme: 'delegated',
      admin: false,
      id: '570282fd-fa5c-430d-a7fd-fc8dc98a9dca',
    })
    assert.equal(findPermission('Mail.Read', 'application')?.admin, true)
    assert.equal(findPermission('User.Read.All', 'delegated')?.admin, true)
    assert.equal(findPermission('Calendars.ReadWrite', 'delegated')?.admin, false)
    assert.equal(findPermission('User.Read', 'application'), undefined, 'delegated only')
    assert.equal(findPermission('Mail.ReadBasic.All', 'delegated'), undefined, 'application only')
    assert.equal(findPermission('Nope.Nope', 'delegated'), undefined)
    assert.equal(
      permissionById('E1FE6DD8-BA31-4D61-89E7-88639DA4683D', 'delegated')?.name,
      'User.Read',
    )
  })

  test('consent texts in English and French, French falling back to English', () => {
    assert.deepEqual(consentText('Mail.Read', 'en'), {
      title: 'Read your mail',
      description: 'Allows the app to read email in your mailbox.',
    })
    assert.equal(consentText('user.read', 'fr').title, 'Vous connecter et lire votre profil')
    assert.equal(
      consentText('offline_access', 'en').title,
      'Maintain access to data you have given it access to',
    )
    const onlyEnglish = Object.entries(
      (
        JSON.parse(readFileSync(CATALOGUE_FILE, 'utf8')) as {
          permissions: Record<string, { delegated?: { en?: string[]; fr?: string[] } }>
        }
      ).permissions,
    ).find(([, entry]) => entry.delegated?.en && !entry.delegated.fr)
    assert.ok(onlyEnglish)
    assert.equal(consentText(onlyEnglish[0], 'fr').title, onlyEnglish[1].delegated!.en![0])
  })

  test('grants: the path sets of the served resources, with the ReadWrite of each Read', () => {
    const reads = grantingPermissions('GET', '/me/messages/{id}', 'delegated')
    assert.ok(reads?.includes('Mail.Read') && reads.includes('Mail.ReadWrite'), String(reads))
    assert.ok(!reads?.includes('Mail.Send'))
    assert.deepEqual(grantingPermissions('POST', '/me/sendmail', 'application'), ['Mail.Send'])
    assert.ok(grantingPermissions('GET', '/me/events', 'delegated')?.includes('Calendars.Read'))
    assert.ok(grantingPermissions('GET', '/users', 'application')?.includes('User.Read.All'))
    assert.deepEqual(grantingPermissions('GET', '/me', 'application'), [])
    assert.equal(grantingPermissions('GET', '/me/drive', 'delegated'), undefined, 'not served')
  })
})
