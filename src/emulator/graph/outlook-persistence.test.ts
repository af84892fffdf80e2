/** Events, contacts, mailbox settings and immutable ids outlive a restart on a data folder. */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { call, testEmulator } from '../../../test/kit/emulator-graph.ts'

describe('Outlook data on a data folder', () => {
  it('keeps events, contacts, settings and message ids across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'emulator-outlook-'))
    try {
      const scp = 'Calendars.ReadWrite Contacts.ReadWrite MailboxSettings.ReadWrite Mail.ReadWrite'
      const first = await testEmulator({ dataDir })
      let token = await first.client.issueToken({ scp })
      const event = await call(first, 'POST', '/v1.0/me/events', token, {
        subject: 'Kept',
        start: { dateTime: '2030-05-01T09:00:00', timeZone: 'UTC' },
        end: { dateTime: '2030-05-01T10:00:00', timeZone: 'UTC' },
      })
      const contact = await call(first, 'POST', '/v1.0/me/contacts', token, { givenName: 'Kept' })
      await call(first, 'PATCH', '/v1.0/me/mailboxSettings', token, { timeFormat: 'HH:mm' })
      const draft = await call(
        first,
        'POST',
        '/v1.0/me/messages',
        token,
        { subject: 'Kept' },
        {
          prefer: 'IdType="ImmutableId"',
        },
      )
      await first.close()

      const second = await testEmulator({ dataDir })
      token = await second.client.issueToken({ scp })
      const again = (path: string) => call(second, 'GET', `/v1.0/me/${path}`, token)
      assert.equal((await again(`events/${event.json().id}`)).json().subject, 'Kept')
      assert.equal((await again(`contacts/${contact.json().id}`)).json().displayName, 'Kept')
      assert.equal((await again('mailboxSettings/timeFormat')).json().value, 'HH:mm')
      assert.equal((await again(`messages/${draft.json().id}`)).json().subject, 'Kept')
      await second.close()
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
