/**
 * Every entity the emulator answers with, on every Graph route it serves, has the shape Graph's own metadata declares
 * (graph-types.json): property names, JSON types, enum members, @odata.type, nested complex types and collections.
 * A new route is one line of WALK.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Emulator } from '../../app.ts'
import { call, graphFixture } from '../../../../test/kit/emulator-graph.ts'
import { coverageOperations } from '../../../../tools/coverage.ts'
import { checkShape, contextType } from './check-shape.ts'
import { graphType } from './graph-types.ts'

/**
 * [method, url, answer, body]: `answer` is the type of the entity answered (`message`), of each item of a collection
 * (`message[]`), of each answer of a `$batch` (a list), `none` for an empty answer or `bytes` for a media stream.
 * `{name}` is an id made by the setup. Every operation docs/COVERAGE.md lists as emulated must have a line.
 */
type Line = [method: string, url: string, answer: string | string[], body?: unknown]

const file = (name: string) => ({
  '@odata.type': '#microsoft.graph.fileAttachment',
  name,
  contentType: 'text/plain',
  contentBytes: Buffer.from(`contents of ${name}`).toString('base64'),
})
const batch = (...items: [method: string, url: string][]) => ({
  requests: items.map(([method, url], index) => ({ id: String(index + 1), method, url })),
})

const COLOR = 'String {66f5a359-4659-4830-9070-00047ec6ac6e} Name Color'
const tagged = (filter: string) => encodeURIComponent(filter).replace(/%2F/g, '/')

const WEEK = 'startDateTime=2030-04-14T00:00:00Z&endDateTime=2030-04-21T00:00:00Z'
const meeting = (subject: string) => ({
  subject,
  start: { dateTime: '2030-04-15T09:00:00', timeZone: 'Romance Standard Time' },
  end: { dateTime: '2030-04-15T10:30:00', timeZone: 'Romance Standard Time' },
  body: { contentType: 'HTML', content: '<p>Agenda</p>' },
  location: { displayName: "Harry's Bar" },
  attendees: [{ emailAddress: { address: 'lea@contoso.test', name: 'Léa' }, type: 'required' }],
})
const PAVEL = {
  givenName: 'Pavel',
  surname: 'Bansky',
  emailAddresses: [{ address: 'pavelb@fabrikam.test', name: 'Pavel Bansky' }],
  businessPhones: ['+1 732 555 0102'],
}

const WALK: Line[] = [
  ['GET', '/v1.0/me', 'user'],
  ['GET', '/v1.0/me?$select=displayName,otherMails,assignedLicenses,accountEnabled', 'user'],
  ['GET', '/v1.0/users/{lea}', 'user'],
  ['GET', '/v1.0/users/{lea}?$select=mail,businessPhones,employeeOrgData', 'user'],
  ['GET', '/v1.0/me/photo', 'profilePhoto'],
  ['GET', '/v1.0/me/photo/$value', 'bytes'],
  ['GET', '/v1.0/me/messages', 'message[]'],
  [
    'GET',
    '/v1.0/me/messages?$select=subject,internetMessageHeaders,uniqueBody,attachments',
    'message[]',
  ],
  ['GET', '/v1.0/me/messages/{received}', 'message'],
  ['GET', '/v1.0/me/messages/{received}/$value', 'bytes'],
  ['GET', '/v1.0/me/messages/{draft}?$expand=attachments', 'message'],
  [
    'GET',
    `/v1.0/me/messages/{draft}?$expand=${tagged(`singleValueExtendedProperties($filter=id eq '${COLOR}')`)}`,
    'message',
  ],
  [
    'GET',
    `/v1.0/me/messages?$filter=${tagged(`singleValueExtendedProperties/any(ep: ep/id eq '${COLOR}' and ep/value eq 'green')`)}&$expand=singleValueExtendedProperties`,
    'message[]',
  ],
  ['GET', '/v1.0/me/mailFolders', 'mailFolder[]'],
  ['GET', '/v1.0/me/mailFolders?$select=displayName,totalItemCount', 'mailFolder[]'],
  ['GET', '/v1.0/me/mailFolders/inbox', 'mailFolder'],
  ['GET', '/v1.0/me/mailFolders/inbox/messages?$top=2', 'message[]'],
  ['POST', '/v1.0/me/messages', 'message', { subject: 'Another draft', attachments: [file('a')] }],
  [
    'POST',
    '/v1.0/me/mailFolders/drafts/messages',
    'message',
    { subject: 'In a folder', singleValueExtendedProperties: [{ id: COLOR, value: 'Blue' }] },
  ],
  ['PATCH', '/v1.0/me/messages/{draft}', 'message', { importance: 'high', categories: ['Blue'] }],
  ['POST', '/v1.0/me/messages/{draft}/attachments', 'attachment', file('b.txt')],
  ['GET', '/v1.0/me/messages/{draft}/attachments', 'attachment[]'],
  ['GET', '/v1.0/me/messages/{draft}/attachments/{attachment}', 'attachment'],
  ['GET', '/v1.0/me/messages/{draft}/attachments?$select=name,size', 'attachment[]'],
  ['GET', '/v1.0/me/messages/{draft}/attachments/{attachment}/$value', 'bytes'],
  [
    'POST',
    '/v1.0/me/messages/{draft}/attachments/createUploadSession',
    'uploadSession',
    { AttachmentItem: { attachmentType: 'file', name: 'big.bin', size: 4 * 1024 * 1024 } },
  ],
  [
    'POST',
    '/v1.0/$batch',
    ['user', 'message[]', 'mailFolder'],
    batch(['GET', '/me'], ['GET', 'me/messages?$top=3'], ['GET', '/me/mailFolders/sentitems']),
  ],
  [
    'POST',
    '/v1.0/me/sendMail',
    'none',
    {
      message: { subject: 'Hi', toRecipients: [{ emailAddress: { address: 'lea@contoso.test' } }] },
    },
  ],
  ['POST', '/v1.0/me/messages/{sendable}/send', 'none'],
  ['DELETE', '/v1.0/me/messages/{doomed}', 'none'],
  ['GET', '/v1.0/users', 'user[]'],
  ['GET', '/v1.0/users?$select=displayName,otherMails&$top=2', 'user[]'],
  ['GET', '/v1.0/me?$select=mailboxSettings', 'user'],
  ['GET', '/v1.0/me/mailboxSettings', 'mailboxSettings'],
  ['PATCH', '/v1.0/me/mailboxSettings', 'mailboxSettings', { timeZone: 'Romance Standard Time' }],
  ['POST', '/v1.0/me/messages/{movable}/copy', 'message', { destinationId: 'archive' }],
  ['POST', '/v1.0/me/messages/{movable}/move', 'message', { destinationId: 'archive' }],
  ['GET', '/v1.0/me/calendar', 'calendar'],
  ['GET', '/v1.0/me/calendars', 'calendar[]'],
  ['GET', '/v1.0/me/calendars/{calendar}', 'calendar'],
  ['GET', '/v1.0/me/calendar/events', 'event[]'],
  ['GET', '/v1.0/me/calendars/{calendar}/events', 'event[]'],
  ['GET', '/v1.0/me/events', 'event[]'],
  ['GET', '/v1.0/me/events?$select=subject,attendees,start', 'event[]'],
  ['GET', `/v1.0/me/calendarView?${WEEK}`, 'event[]'],
  ['GET', `/v1.0/me/calendar/calendarView?${WEEK}`, 'event[]'],
  ['GET', `/v1.0/me/calendars/{calendar}/calendarView?${WEEK}`, 'event[]'],
  ['POST', '/v1.0/me/events', 'event', meeting('Review')],
  ['POST', '/v1.0/me/calendar/events', 'event', meeting('Plan')],
  ['POST', '/v1.0/me/calendars/{calendar}/events', 'event', meeting('Retro')],
  ['GET', '/v1.0/me/events/{event}', 'event'],
  ['GET', '/v1.0/me/calendar/events/{event}', 'event'],
  ['GET', '/v1.0/me/calendars/{calendar}/events/{event}', 'event'],
  ['PATCH', '/v1.0/me/events/{event}', 'event', { isReminderOn: false }],
  ['PATCH', '/v1.0/me/calendar/events/{event}', 'event', { showAs: 'tentative' }],
  ['PATCH', '/v1.0/me/calendars/{calendar}/events/{event}', 'event', { importance: 'high' }],
  ['DELETE', '/v1.0/me/events/{doomedEvent1}', 'none'],
  ['DELETE', '/v1.0/me/calendar/events/{doomedEvent2}', 'none'],
  ['DELETE', '/v1.0/me/calendars/{calendar}/events/{doomedEvent3}', 'none'],
  ['GET', '/v1.0/me/contacts', 'contact[]'],
  ['POST', '/v1.0/me/contacts', 'contact', PAVEL],
  ['GET', '/v1.0/me/contacts/{contact}', 'contact'],
  ['PATCH', '/v1.0/me/contacts/{contact}', 'contact', { jobTitle: 'Buyer' }],
  ['DELETE', '/v1.0/me/contacts/{doomedContact}', 'none'],
  ['GET', '/beta/me/messages?$top=1', 'message[]'],
]

describe("The emulator's answers have the shapes of Graph's metadata", () => {
  let emulator: Emulator
  let token: string
  const ids: Record<string, string> = {}
  before(async () => {
    ;({ emulator } = await graphFixture())
    token = await emulator.client.issueToken({
      scp: 'User.Read User.ReadBasic.All Mail.ReadWrite Mail.Send Calendars.ReadWrite Contacts.ReadWrite MailboxSettings.ReadWrite',
    })
    const lea = await emulator.client.issueToken({ user: 'lea@contoso.test', scp: 'Mail.Send' })
    const sent = await call(emulator, 'POST', '/v1.0/me/sendMail', lea, {
      message: {
        subject: 'With headers',
        body: { contentType: 'HTML', content: '<p>Hello</p>' },
        toRecipients: [{ emailAddress: { address: 'adele@contoso.test', name: 'Adele' } }],
        ccRecipients: [{ emailAddress: { address: 'someone@example.test' } }],
        internetMessageHeaders: [{ name: 'x-campaign', value: '42' }],
        attachments: [file('notes.txt')],
      },
    })
    assert.equal(sent.statusCode, 202)
    const draft = await call(emulator, 'POST', '/v1.0/me/messages', token, {
      subject: 'Draft',
      toRecipients: [{ emailAddress: { address: 'lea@contoso.test' } }],
      attachments: [file('draft.txt')],
      singleValueExtendedProperties: [{ id: COLOR, value: 'Green' }],
    })
    ids.draft = draft.json().id
    const list = await call(emulator, 'GET', `/v1.0/me/messages/${ids.draft}/attachments`, token)
    ids.attachment = list.json().value[0].id
    const calendar = await call(emulator, 'GET', '/v1.0/me/calendar', token)
    ids.calendar = calendar.json().id
    for (const name of ['event', 'doomedEvent1', 'doomedEvent2', 'doomedEvent3'])
      ids[name] = (await call(emulator, 'POST', '/v1.0/me/events', token, meeting(name))).json().id
    for (const name of ['contact', 'doomedContact'])
      ids[name] = (await call(emulator, 'POST', '/v1.0/me/contacts', token, PAVEL)).json().id
    for (const name of ['sendable', 'doomed', 'movable']) {
      const made = await call(emulator, 'POST', '/v1.0/me/messages', token, {
        subject: name,
        toRecipients: [{ emailAddress: { address: 'lea@contoso.test' } }],
      })
      ids[name] = made.json().id
    }
    const inbox = await call(emulator, 'GET', '/v1.0/me/mailFolders/inbox/messages', token)
    ids.received = inbox.json().value[0].id
    ids.lea = emulator.demo.users.find((user) => user.userPrincipalName === 'lea@contoso.test')!.id
  })
  after(() => emulator.close())

  it('walks every operation docs/COVERAGE.md says is emulated', async () => {
    const walked = WALK.map(
      ([method, url]) => `${method} ${url.split('?')[0]!.replace(/^\/(v1\.0|beta)/, '')}`,
    )
    const missing = (await coverageOperations())
      .filter((operation) => operation.emulated && !operation.path.startsWith('{uploadUrl}'))
      .filter((operation) => {
        const pattern = operation.path.replace(/[$.]/g, '\\$&').replace(/\{id\}/g, '[^/]+')
        const line = new RegExp(`^${operation.method} ${pattern}$`)
        return !walked.some((call) => line.test(call.replace(/\{\w+\}/g, 'K')))
      })
      .map((operation) => `${operation.method} ${operation.path}: add a line to WALK`)
    assert.deepEqual(missing, [])
  })

  it("answers Graph's own 400 to a $select of an undeclared name, on every GET of the walk", async () => {
    const problems: string[] = []
    for (const [method, template, answer] of WALK) {
      if (method !== 'GET' || typeof answer !== 'string') continue
      if (['profilePhoto', 'bytes', 'none'].includes(answer)) continue
      if (graphType(answer.replace(/\[\]$/, ''))?.kind === 'complex') continue // mailboxSettings
      const type = answer.replace(/\[\]$/, '')
      const [code, typeName] = UNKNOWN_PROPERTY[type] ?? ['?', `no wording for ${type}`]
      // The route's own query stays (calendarView needs its window); any $select is replaced.
      const url = new URL(
        template.replace(/\{(\w+)\}/g, (_, name: string) => ids[name]!),
        'http://x',
      )
      url.searchParams.set('$select', 'id,shoeSize')
      const query = decodeURIComponent(url.search)
      const response = await call(emulator, 'GET', `${url.pathname}${query}`, token)
      const expected = `400 ${code} Could not find a property named 'shoeSize' on type '${typeName}'.`
      const { error } = response.json()
      const actual = `${response.statusCode} ${error?.code} ${error?.message}`
      if (actual !== expected) problems.push(`GET ${template}: ${actual}, expected ${expected}`)
    }
    assert.deepEqual(problems, [])
  })

  it('walks every route once and finds nothing Graph would not send', async () => {
    const problems: string[] = []
    for (const [method, template, answer, body] of WALK) {
      const url = template.replace(/\{(\w+)\}/g, (_, name: string) => ids[name]!)
      const response = await call(emulator, method, url, token, body)
      const where = `${method} ${template}`
      if (response.statusCode >= 300) {
        problems.push(`${where}: answered ${response.statusCode} ${response.body.slice(0, 200)}`)
        continue
      }
      if (answer === 'none' || answer === 'bytes') {
        const json = /json/.test(String(response.headers['content-type'] ?? ''))
        if (json || (answer === 'none' && response.body !== ''))
          problems.push(`${where}: expected ${answer}, got ${response.headers['content-type']}`)
        continue
      }
      problems.push(...checkAnswer(where, url, response.json(), answer, body))
    }
    assert.deepEqual(problems, [])
  })
})

/** How the service behind each type words a `$select` of a name the type does not declare. */
const UNKNOWN_PROPERTY: Record<string, [code: string, type: string]> = {
  user: ['Request_BadRequest', 'Microsoft.DirectoryServices.User'],
  message: ['RequestBroker--ParseUri', 'Microsoft.OutlookServices.Message'],
  mailFolder: ['RequestBroker--ParseUri', 'Microsoft.OutlookServices.MailFolder'],
  attachment: ['RequestBroker--ParseUri', 'Microsoft.OutlookServices.Attachment'],
  calendar: ['RequestBroker--ParseUri', 'Microsoft.OutlookServices.Calendar'],
  event: ['RequestBroker--ParseUri', 'Microsoft.OutlookServices.Event'],
  contact: ['RequestBroker--ParseUri', 'Microsoft.OutlookServices.Contact'],
}

/** The problems of one answer: an entity, a collection page, or the answers of a $batch. */
function checkAnswer(
  where: string,
  url: string,
  body: unknown,
  answer: string | string[],
  sent?: unknown,
): string[] {
  if (Array.isArray(answer)) {
    const { requests } = sent as { requests: { url: string }[] }
    const { responses } = body as { responses: { id: string; status: number; body: unknown }[] }
    return answer.flatMap((type, index) => {
      const item = responses.find((response) => response.id === String(index + 1))
      const at = `${where} item ${index + 1}`
      if (!item || item.status >= 300) return [`${at}: ${JSON.stringify(item)}`]
      return checkAnswer(at, requests[index]!.url, item.body, type)
    })
  }
  const collection = answer.endsWith('[]')
  const type = collection ? answer.slice(0, -2) : answer
  const problems = checkContext(where, body, type, collection)
  if (!collection)
    return [...problems, ...prefixed(where, checkShape(body, type)), ...asked(where, url, body)]
  const { value, ...rest } = body as { value: unknown[] }
  const extra = Object.keys(rest).filter(
    (key) => !['@odata.context', '@odata.nextLink'].includes(key),
  )
  if (!Array.isArray(value)) return [...problems, `${where}: no value array`]
  return [
    ...problems,
    ...extra.map((key) => `${where}: a collection page carries '${key}'`),
    ...value.flatMap((item, index) => [
      ...prefixed(where, checkShape(item, type, `$.value[${index}]`)),
      ...asked(`${where} → $.value[${index}]`, url, item),
    ]),
  ]
}

const prefixed = (where: string, problems: string[]) =>
  problems.map((problem) => `${where} → ${problem}`)

/** The answer's @odata.context must be there and name what the answer is. */
function checkContext(where: string, body: unknown, type: string, collection: boolean): string[] {
  const context = (body as Record<string, unknown>)['@odata.context']
  if (typeof context !== 'string') return [`${where}: no @odata.context`]
  const named = contextType(context)
  if (!named) return [`${where}: @odata.context ${context} names nothing of graph-types.json`]
  if (named.type === type && named.collection === collection) return []
  const says = `${named.type}${named.collection ? '[]' : ''}`
  return [`${where}: @odata.context says ${says}, the answer is ${type}${collection ? '[]' : ''}`]
}

/** Properties named by $select (structural ones) and $expand must be in the answer. */
function asked(where: string, url: string, entity: unknown): string[] {
  const query = new URLSearchParams(url.split('?')[1] ?? '')
  const record = entity as Record<string, unknown>
  const select = (query.get('$select') ?? '').split(',').filter(Boolean)
  // An expanded name without its options: `singleValueExtendedProperties($filter=…)`.
  const expand = (query.get('$expand') ?? '')
    .split(',')
    .filter(Boolean)
    .map((item) => item.split('(')[0]!)
  const structural = select.filter((name) => !['attachments', 'extensions'].includes(name))
  return [...structural, ...expand]
    .filter((name) => !(name in record))
    .map((name) => `${where} → ${name} was asked for and is missing`)
}
