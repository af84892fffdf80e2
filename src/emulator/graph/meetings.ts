/**
 * Meetings: an organizer's event with attendees puts a copy in each tenant attendee's calendar and a meeting request
 * (eventMessageRequest) in their Inbox, a copy in the organizer's Sent Items and one in the External outbox for outside
 * attendees (delivered as mail is); an update reaches the copies, new attendees are invited, removed ones get a
 * cancellation (eventMessage, meetingCancelled), as does everyone when the organizer deletes the event.
 */
import type { EmulatorContext } from '../context.ts'
import type { User } from '../state/directory.ts'
import { newRecord } from './compose.ts'
import { deliver } from './deliver.ts'
import { NEVER, type Attendee, type EventRecord } from './event-model.ts'
import {
  newChangeKey,
  newId,
  newImmutableId,
  newInternetMessageId,
  type MeetingFields,
  type Recipient,
} from './message-model.ts'
import { instantToLocal } from './time-zones.ts'

// What an organizer's change carries to every attendee's copy.
const SHARED = [
  'subject',
  'body',
  'start',
  'end',
  'originalStartTimeZone',
  'originalEndTimeZone',
  'location',
  'locations',
  'attendees',
  'isAllDay',
  'importance',
  'sensitivity',
  'allowNewTimeProposals',
  'hideAttendees',
  'responseRequested',
] as const

const key = (attendee: Recipient) => attendee.emailAddress.address.toLowerCase()

/** Invites `attendees` (all of the event's when new): their calendar copies, then the request mail. */
export function invite(
  context: EmulatorContext,
  organizer: User,
  event: EventRecord,
  attendees: Attendee[],
) {
  const invited = attendees.filter((attendee) => key(attendee) !== organizer.mail.toLowerCase())
  if (invited.length === 0) return
  const now = new Date().toISOString()
  context.mail.transaction(() => {
    for (const attendee of invited) {
      const user = context.directory.findUser(attendee.emailAddress.address)
      if (!user || user.id === organizer.id) continue
      if (context.mail.events.copies(event.iCalUId).some((copy) => copy.mailbox === user.id))
        continue
      context.mail.events.insert(attendeeCopy(event, user, now))
    }
  })
  send(context, organizer, event, invited, 'request')
}

/** After the organizer changed `event` (it was `before`): copies follow, new attendees invited, removed ones cancelled. */
export function propagate(
  context: EmulatorContext,
  organizer: User,
  before: EventRecord,
  event: EventRecord,
) {
  const kept = new Set(event.attendees.map(key))
  const had = new Set(before.attendees.map(key))
  const removed = before.attendees.filter((attendee) => !kept.has(key(attendee)))
  const now = new Date().toISOString()
  context.mail.transaction(() => {
    for (const copy of context.mail.events.copies(event.iCalUId)) {
      if (copy.mailbox === event.mailbox) continue
      const owner = context.directory.findUser(copy.mailbox)
      const stays = owner !== undefined && kept.has(owner.mail.toLowerCase())
      const shared = Object.fromEntries(SHARED.map((name) => [name, event[name]]))
      context.mail.events.update(
        stays
          ? { ...copy, ...shared, lastModifiedDateTime: now, changeKey: newChangeKey() }
          : cancelledCopy(copy, now),
      )
    }
  })
  const added = event.attendees.filter((attendee) => !had.has(key(attendee)))
  if (added.length) invite(context, organizer, event, added)
  if (removed.length) send(context, organizer, event, removed, 'cancel')
}

/** The organizer deleted `event`: every attendee's copy is cancelled and they are told. */
export function cancel(context: EmulatorContext, organizer: User, event: EventRecord) {
  const now = new Date().toISOString()
  context.mail.transaction(() => {
    for (const copy of context.mail.events.copies(event.iCalUId))
      if (copy.mailbox !== event.mailbox) context.mail.events.update(cancelledCopy(copy, now))
  })
  const attendees = event.attendees.filter(
    (attendee) => key(attendee) !== organizer.mail.toLowerCase(),
  )
  if (attendees.length) send(context, organizer, event, attendees, 'cancel')
}

function attendeeCopy(event: EventRecord, user: User, now: string): EventRecord {
  return {
    ...event,
    id: newId(),
    immutableId: newImmutableId(),
    mailbox: user.id,
    createdDateTime: now,
    lastModifiedDateTime: now,
    changeKey: newChangeKey(),
    categories: [],
    transactionId: null,
    isOrganizer: false,
    showAs: 'tentative',
    responseStatus: { response: 'notResponded', time: NEVER },
  }
}

function cancelledCopy(copy: EventRecord, now: string): EventRecord {
  const subject = copy.subject.startsWith('Canceled: ') ? copy.subject : `Canceled: ${copy.subject}`
  return {
    ...copy,
    subject,
    isCancelled: true,
    lastModifiedDateTime: now,
    changeKey: newChangeKey(),
  }
}

/** The meeting request or cancellation, sent from the organizer to `attendees` (required in To, others in Cc). */
function send(
  context: EmulatorContext,
  organizer: User,
  event: EventRecord,
  attendees: Attendee[],
  kind: 'request' | 'cancel',
) {
  const now = new Date().toISOString()
  const message = newRecord(organizer.id, 'sentitems', now)
  const self: Recipient = { emailAddress: { name: organizer.displayName, address: organizer.mail } }
  const recipient = (attendee: Attendee): Recipient => ({
    emailAddress: { ...attendee.emailAddress },
  })
  const meeting: MeetingFields = {
    '@odata.type':
      kind === 'request' ? '#microsoft.graph.eventMessageRequest' : '#microsoft.graph.eventMessage',
    meetingMessageType: kind === 'request' ? 'meetingRequest' : 'meetingCancelled',
    startDateTime: instantToLocal(Date.parse(event.start), 'UTC'),
    endDateTime: instantToLocal(Date.parse(event.end), 'UTC'),
    location: event.location,
    isAllDay: event.isAllDay,
    iCalUId: event.iCalUId,
  }
  Object.assign(message, {
    subject: kind === 'request' ? event.subject : `Canceled: ${event.subject}`,
    body: event.body,
    importance: kind === 'request' ? event.importance : 'high',
    from: self,
    sender: self,
    toRecipients: attendees.filter((attendee) => attendee.type !== 'optional').map(recipient),
    ccRecipients: attendees.filter((attendee) => attendee.type === 'optional').map(recipient),
    isDraft: false,
    internetMessageId: newInternetMessageId(context.directory.tenant.domain),
    meeting,
  })
  deliver(context.mail, context.directory, organizer, message, [], {
    saveToSentItems: true,
    storedDraft: false,
  })
}
