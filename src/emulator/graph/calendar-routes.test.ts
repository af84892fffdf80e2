/** Calendars and events: CRUD, calendarView, paging, $select, $orderby, time zones, meetings with attendees. */
import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import type { Emulator } from '../app.ts'
import { call, graphFixture } from '../../../test/kit/emulator-graph.ts'

const PACIFIC = { prefer: 'outlook.timezone="Pacific Standard Time"' }
const event = (subject: string, day: number, extra: Record<string, unknown> = {}) => ({
  subject,
  start: {
    dateTime: `2030-04-${String(day).padStart(2, '0')}T09:00:00`,
    timeZone: 'Romance Standard Time',
  },
  end: {
    dateTime: `2030-04-${String(day).padStart(2, '0')}T10:30:00`,
    timeZone: 'Romance Standard Time',
  },
  ...extra,
})

describe('Graph calendars and events', () => {
  let emulator: Emulator
  let adele: string
  let lea: string
  before(async () => {
    ;({ emulator } = await graphFixture())
    adele = await emulator.client.issueToken({ scp: 'Calendars.ReadWrite Mail.Read' })
    lea = await emulator.client.issueToken({
      user: 'lea@contoso.test',
      scp: 'Calendars.ReadWrite Mail.Read',
    })
  })
  beforeEach(() => emulator.client.reset())
  after(() => emulator.close())

  it('answers the default calendar, the calendar list and the calendar by id', async () => {
    const calendar = await call(emulator, 'GET', '/v1.0/me/calendar', adele)
    assert.equal(calendar.statusCode, 200)
    assert.equal(calendar.json().name, 'Calendar')
    assert.equal(calendar.json().isDefaultCalendar, true)
    assert.deepEqual(calendar.json().owner, { name: 'Adele Vance', address: 'adele@contoso.test' })
    const list = (await call(emulator, 'GET', '/v1.0/me/calendars', adele)).json()
    assert.deepEqual(
      list.value.map((entry: { id: string }) => entry.id),
      [calendar.json().id],
    )
    const byId = await call(emulator, 'GET', `/v1.0/me/calendars/${calendar.json().id}`, adele)
    assert.equal(byId.json().id, calendar.json().id)
    assert.equal(
      (await call(emulator, 'GET', '/v1.0/me/calendars/AAMkNope', adele)).statusCode,
      404,
    )
  })

  it('creates, reads, updates and deletes an event; start and end in UTC unless Prefer says otherwise', async () => {
    const created = await call(
      emulator,
      'POST',
      '/v1.0/me/calendar/events',
      adele,
      event('Plan', 15, {
        body: { contentType: 'HTML', content: '<p>Agenda</p>' },
        location: { displayName: "Harry's Bar" },
      }),
    )
    assert.equal(created.statusCode, 201)
    const body = created.json()
    assert.match(body['@odata.context'], /\/events\/\$entity$/)
    assert.deepEqual(body.start, { dateTime: '2030-04-15T07:00:00.0000000', timeZone: 'UTC' })
    assert.equal(body.originalStartTimeZone, 'Romance Standard Time')
    assert.equal(body.isOrganizer, true)
    assert.equal(body.bodyPreview, 'Agenda')
    assert.equal(body.location.displayName, "Harry's Bar")
    const read = await call(
      emulator,
      'GET',
      `/v1.0/me/events/${body.id}`,
      adele,
      undefined,
      PACIFIC,
    )
    assert.equal(read.headers['preference-applied'], 'outlook.timezone="Pacific Standard Time"')
    assert.deepEqual(read.json().start, {
      dateTime: '2030-04-15T00:00:00.0000000',
      timeZone: 'Pacific Standard Time',
    })
    const patched = await call(emulator, 'PATCH', `/v1.0/me/events/${body.id}`, adele, {
      subject: 'Plan B',
      end: { dateTime: '2030-04-15T11:00:00', timeZone: 'UTC' },
    })
    assert.equal(patched.statusCode, 200)
    assert.equal(patched.json().subject, 'Plan B')
    assert.equal(patched.json().end.dateTime, '2030-04-15T11:00:00.0000000')
    const deleted = await call(emulator, 'DELETE', `/v1.0/me/calendar/events/${body.id}`, adele)
    assert.equal(deleted.statusCode, 204)
    const gone = await call(emulator, 'GET', `/v1.0/me/events/${body.id}`, adele)
    assert.equal(gone.json().error.code, 'ErrorItemNotFound')
  })

  it('calendarView needs its window, keeps events that overlap it, pages with $top, $select, $orderby', async () => {
    for (const [subject, day] of [
      ['A', 3],
      ['B', 1],
      ['C', 2],
      ['Late', 20],
    ] as const)
      await call(emulator, 'POST', '/v1.0/me/events', adele, event(subject, day))
    const missing = await call(emulator, 'GET', '/v1.0/me/calendarview', adele)
    assert.equal(missing.statusCode, 400)
    assert.equal(missing.json().error.code, 'ErrorInvalidParameter')
    assert.equal(
      missing.json().error.message,
      'This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.',
    )
    const window = 'startDateTime=2030-04-01T08:00:00&endDateTime=2030-04-05T00:00:00'
    const first = (
      await call(
        emulator,
        'GET',
        `/v1.0/me/calendarView?${window}&$top=2&$select=subject,start`,
        adele,
      )
    ).json()
    assert.deepEqual(
      first.value.map((entry: { subject: string }) => entry.subject),
      ['B', 'C'],
    )
    assert.deepEqual(Object.keys(first.value[0]), ['@odata.etag', 'id', 'subject', 'start'])
    const next = new URL(first['@odata.nextLink'])
    assert.equal(next.searchParams.get('$skip'), '2')
    const second = (await call(emulator, 'GET', next.pathname + next.search, adele)).json()
    assert.deepEqual(
      second.value.map((entry: { subject: string }) => entry.subject),
      ['A'],
    )
    const desc = (
      await call(
        emulator,
        'GET',
        `/v1.0/me/calendarView?${window}&$orderby=start/dateTime desc`,
        adele,
      )
    ).json()
    assert.deepEqual(
      desc.value.map((entry: { subject: string }) => entry.subject),
      ['A', 'C', 'B'],
    )
    const all = (await call(emulator, 'GET', '/v1.0/me/events?$count=true', adele)).json()
    assert.equal(all['@odata.count'], 4)
    const overlap = 'startDateTime=2030-04-01T08:00:00Z&endDateTime=2030-04-01T08:00:01Z'
    const edge = (await call(emulator, 'GET', `/v1.0/me/calendarView?${overlap}`, adele)).json()
    assert.deepEqual(
      edge.value.map((entry: { subject: string }) => entry.subject),
      ['B'],
    )
  })

  it('invites tenant attendees: their calendar copy, a meeting request in their Inbox, Sent Items, External outbox', async () => {
    const created = (
      await call(
        emulator,
        'POST',
        '/v1.0/me/events',
        adele,
        event('Kick-off', 10, {
          attendees: [
            { emailAddress: { address: 'lea@contoso.test' }, type: 'required' },
            { emailAddress: { address: 'partner@example.com', name: 'Partner' }, type: 'optional' },
          ],
          isOnlineMeeting: true,
          onlineMeetingProvider: 'teamsForBusiness',
        }),
      )
    ).json()
    assert.equal(created.isOnlineMeeting, false, 'online meetings are ignored')
    assert.deepEqual(created.attendees[0], {
      type: 'required',
      status: { response: 'none', time: '0001-01-01T00:00:00Z' },
      emailAddress: { address: 'lea@contoso.test', name: 'Léa Martin' },
    })
    const [copy] = (await call(emulator, 'GET', '/v1.0/me/events', lea)).json().value
    assert.equal(copy.iCalUId, created.iCalUId)
    assert.notEqual(copy.id, created.id)
    assert.equal(copy.isOrganizer, false)
    assert.deepEqual(copy.responseStatus, {
      response: 'notResponded',
      time: '0001-01-01T00:00:00Z',
    })
    assert.deepEqual(copy.organizer, {
      emailAddress: { name: 'Adele Vance', address: 'adele@contoso.test' },
    })
    const [request] = (
      await call(emulator, 'GET', '/v1.0/me/mailFolders/inbox/messages', lea)
    ).json().value
    assert.equal(request['@odata.type'], '#microsoft.graph.eventMessageRequest')
    assert.equal(request.meetingMessageType, 'meetingRequest')
    assert.equal(request.subject, 'Kick-off')
    assert.deepEqual(request.startDateTime, {
      dateTime: '2030-04-10T07:00:00.0000000',
      timeZone: 'UTC',
    })
    const [sent] = (
      await call(emulator, 'GET', '/v1.0/me/mailFolders/sentitems/messages', adele)
    ).json().value
    assert.equal(sent.internetMessageId, request.internetMessageId)
    assert.deepEqual(sent.ccRecipients, [
      { emailAddress: { address: 'partner@example.com', name: 'Partner' } },
    ])
    const outside = await emulator.client.messages('partner@example.com')
    assert.equal(outside.length, 1)
  })

  it('carries the organizer’s changes to the copies and cancels the meeting when the organizer deletes it', async () => {
    const created = (
      await call(
        emulator,
        'POST',
        '/v1.0/me/events',
        adele,
        event('Review', 11, {
          attendees: [{ emailAddress: { address: 'lea@contoso.test' } }],
        }),
      )
    ).json()
    await call(emulator, 'PATCH', `/v1.0/me/events/${created.id}`, adele, {
      location: { displayName: 'Room 2' },
      attendees: [
        { emailAddress: { address: 'lea@contoso.test' } },
        { emailAddress: { address: 'megan@contoso.test' } },
      ],
    })
    const [copy] = (await call(emulator, 'GET', '/v1.0/me/events', lea)).json().value
    assert.equal(copy.location.displayName, 'Room 2')
    const megan = await emulator.client.issueToken({
      user: 'megan@contoso.test',
      scp: 'Calendars.Read Mail.Read',
    })
    assert.equal((await call(emulator, 'GET', '/v1.0/me/events', megan)).json().value.length, 1)
    assert.equal(
      (await call(emulator, 'DELETE', `/v1.0/me/events/${created.id}`, adele)).statusCode,
      204,
    )
    const [cancelled] = (await call(emulator, 'GET', '/v1.0/me/events', lea)).json().value
    assert.equal(cancelled.isCancelled, true)
    assert.equal(cancelled.subject, 'Canceled: Review')
    const [notice] = (await call(emulator, 'GET', '/v1.0/me/messages?$top=1', lea)).json().value
    assert.equal(notice['@odata.type'], '#microsoft.graph.eventMessage')
    assert.equal(notice.meetingMessageType, 'meetingCancelled')
  })

  it('serves /users/{id}/events and /users/{id}/calendarView to app tokens with Calendars.Read', async () => {
    await call(emulator, 'POST', '/v1.0/me/events', lea, event('Léa alone', 12))
    const app = await emulator.client.issueToken({ roles: ['Calendars.Read'] })
    const events = await call(emulator, 'GET', '/v1.0/users/lea@contoso.test/events', app)
    assert.equal(events.json().value[0].subject, 'Léa alone')
    const view = await call(
      emulator,
      'GET',
      '/v1.0/users/8a2e5c90-1f3b-4d7a-9c65-b0e4d2f81a26/calendarView?startDateTime=2030-04-12T00:00:00Z&endDateTime=2030-04-13T00:00:00Z',
      app,
    )
    assert.equal(view.json().value.length, 1)
    const write = await call(
      emulator,
      'POST',
      '/v1.0/users/lea@contoso.test/events',
      app,
      event('x', 1),
    )
    assert.equal(write.statusCode, 403)
    assert.equal(write.json().error.code, 'ErrorAccessDenied')
  })

  it("refuses what it does not keep, in Graph's words", async () => {
    const recurring = await call(
      emulator,
      'POST',
      '/v1.0/me/events',
      adele,
      event('Weekly', 1, {
        recurrence: { pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'] } },
      }),
    )
    assert.equal(recurring.json().error.code, 'ErrorInvalidRequest')
    const zone = await call(emulator, 'POST', '/v1.0/me/events', adele, {
      ...event('Zone', 1),
      start: { dateTime: '2030-04-01T09:00:00', timeZone: 'Mars Standard Time' },
    })
    assert.equal(zone.json().error.code, 'TimeZoneNotSupportedException')
    const backwards = await call(emulator, 'POST', '/v1.0/me/events', adele, {
      ...event('Backwards', 2),
      end: { dateTime: '2030-04-01T09:00:00', timeZone: 'UTC' },
    })
    assert.equal(backwards.json().error.code, 'ErrorPropertyValidationFailure')
    const unknown = await call(emulator, 'POST', '/v1.0/me/events', adele, {
      ...event('x', 1),
      colour: 'red',
    })
    assert.equal(unknown.json().error.code, 'RequestBodyRead')
    const reader = await emulator.client.issueToken({ scp: 'Calendars.Read' })
    assert.equal(
      (await call(emulator, 'POST', '/v1.0/me/events', reader, event('x', 1))).statusCode,
      403,
    )
    const none = await emulator.client.issueToken({ scp: 'User.Read' })
    assert.equal((await call(emulator, 'GET', '/v1.0/me/events', none)).statusCode, 403)
  })
})
