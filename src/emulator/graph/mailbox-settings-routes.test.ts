/** mailboxSettings: the user property, GET and PATCH /me/mailboxSettings, per-user defaults, permissions. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Emulator } from '../app.ts'
import { call, graphFixture } from '../../../test/kit/emulator-graph.ts'

describe('Graph mailboxSettings', () => {
  let emulator: Emulator
  let lea: string
  before(async () => {
    ;({ emulator } = await graphFixture())
    lea = await emulator.client.issueToken({
      user: 'lea@contoso.test',
      scp: 'User.Read MailboxSettings.ReadWrite',
    })
  })
  after(() => emulator.close())

  it("answers Microsoft's Node sample: /me?$select=displayName,mail,mailboxSettings,userPrincipalName", async () => {
    const response = await call(
      emulator,
      'GET',
      '/v1.0/me?$select=displayName,mail,mailboxSettings,userPrincipalName',
      lea,
    )
    assert.equal(response.statusCode, 200)
    const body = response.json()
    assert.deepEqual(Object.keys(body), [
      '@odata.context',
      'displayName',
      'mail',
      'mailboxSettings',
      'userPrincipalName',
    ])
    assert.equal(body.mailboxSettings.timeZone, 'Romance Standard Time')
    assert.deepEqual(body.mailboxSettings.language, {
      locale: 'fr-FR',
      displayName: 'French (France)',
    })
    assert.equal(body.mailboxSettings.dateFormat, 'dd/MM/yyyy')
    const userRead = await emulator.client.issueToken({
      user: 'lea@contoso.test',
      scp: 'User.Read',
    })
    const denied = await call(emulator, 'GET', '/v1.0/me?$select=mailboxSettings', userRead)
    assert.equal(denied.statusCode, 403)
    assert.equal(denied.json().error.code, 'ErrorAccessDenied')
  })

  it('GET /me/mailboxSettings: every property; defaults per user (UTC, en-US for Adele)', async () => {
    const adele = await emulator.client.issueToken({ scp: 'MailboxSettings.Read' })
    const body = (await call(emulator, 'GET', '/v1.0/me/mailboxSettings', adele)).json()
    assert.match(
      body['@odata.context'],
      /#users\('3d7b1f02-8c44-4a6e-b1d9-5e2f0a9c7b13'\)\/mailboxSettings$/,
    )
    assert.deepEqual(Object.keys(body).slice(1), [
      'archiveFolder',
      'timeZone',
      'delegateMeetingMessageDeliveryOptions',
      'dateFormat',
      'timeFormat',
      'userPurpose',
      'automaticRepliesSetting',
      'language',
      'workingHours',
    ])
    assert.equal(body.timeZone, 'UTC')
    assert.deepEqual(body.language, { locale: 'en-US', displayName: 'English (United States)' })
    assert.deepEqual(body.workingHours, {
      daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
      startTime: '08:00:00.0000000',
      endTime: '17:00:00.0000000',
      timeZone: { name: 'UTC' },
    })
    assert.equal(body.automaticRepliesSetting.status, 'disabled')
    const app = await emulator.client.issueToken({ roles: ['MailboxSettings.Read'] })
    const byApp = await call(
      emulator,
      'GET',
      '/v1.0/users/lea@contoso.test/mailboxSettings/timeZone',
      app,
    )
    assert.equal(byApp.json().value, 'Romance Standard Time')
  })

  it('PATCH merges, answers the changed properties, keeps them; refuses bad values in Graph’s words', async () => {
    const patched = await call(emulator, 'PATCH', '/v1.0/me/mailboxSettings', lea, {
      AutomaticRepliesSetting: {
        status: 'Scheduled',
        scheduledStartDateTime: { dateTime: '2030-03-20T18:00:00', timeZone: 'UTC' },
        scheduledEndDateTime: { dateTime: '2030-03-28T18:00:00', timeZone: 'UTC' },
      },
      workingHours: { startTime: '09:30', timeZone: { name: 'Romance Standard Time' } },
    })
    assert.equal(patched.statusCode, 200)
    const body = patched.json()
    assert.deepEqual(Object.keys(body).slice(1), ['automaticRepliesSetting', 'workingHours'])
    assert.equal(body.automaticRepliesSetting.status, 'scheduled')
    assert.equal(body.automaticRepliesSetting.externalAudience, 'all')
    assert.equal(body.workingHours.startTime, '09:30:00.0000000')
    assert.equal(body.workingHours.endTime, '17:00:00.0000000')
    const again = (await call(emulator, 'GET', '/v1.0/me/mailboxSettings', lea)).json()
    assert.equal(again.automaticRepliesSetting.scheduledEndDateTime.dateTime, '2030-03-28T18:00:00')
    const zone = await call(emulator, 'PATCH', '/v1.0/me/mailboxSettings', lea, {
      timeZone: 'Mars/Olympus',
    })
    assert.equal(zone.json().error.code, 'TimeZoneNotSupportedException')
    const unknown = await call(emulator, 'PATCH', '/v1.0/me/mailboxSettings', lea, {
      colour: 'red',
    })
    assert.equal(unknown.json().error.code, 'RequestBodyRead')
    const readOnly = await emulator.client.issueToken({
      user: 'lea@contoso.test',
      scp: 'MailboxSettings.Read',
    })
    const denied = await call(emulator, 'PATCH', '/v1.0/me/mailboxSettings', readOnly, {
      timeZone: 'UTC',
    })
    assert.equal(denied.json().error.code, 'ErrorAccessDenied')
  })
})
