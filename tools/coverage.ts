/**
 * coverageOperations() and renderCoverage(): docs/COVERAGE.md, what the emulator answers of Graph, per area, entity
 * type and operation, from Graph's v1.0 metadata (graph-types.json) and the emulator's own route table.
 * Run: node tools/coverage.ts   (src/emulator/graph/metadata/coverage.test.ts fails when the file is stale)
 */
import { writeFileSync } from 'node:fs'
import { buildEmulator } from '../src/emulator/index.ts'
import {
  graphType,
  METADATA_SOURCE,
  type GraphTypeEntry,
} from '../src/emulator/graph/metadata/graph-types.ts'

export const COVERAGE_FILE = new URL('../docs/COVERAGE.md', import.meta.url)

/** One operation Graph's metadata implies, and whether the emulator routes it. */
export interface Operation {
  area: Area
  entity: string
  /** List, Get, Create, Update, Delete, Get content, or the bound action/function's name. */
  name: string
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'
  /** Under /v1.0 and /beta, from /me; `{id}` stands for a key. */
  path: string
  emulated: boolean
  /** Also served as /users/{id}/…: the path starts at /me. */
  usersToo: boolean
}
type Area = 'Users and profile' | 'Mail' | 'Calendar' | 'Contacts' | 'Outside the metadata'
type Candidate = Omit<Operation, 'emulated' | 'usersToo'>

const AREAS: Record<string, Area> = {
  messages: 'Mail',
  mailFolders: 'Mail',
  inferenceClassification: 'Mail',
  events: 'Calendar',
  calendar: 'Calendar',
  calendars: 'Calendar',
  calendarGroups: 'Calendar',
  calendarView: 'Calendar',
  contacts: 'Contacts',
  contactFolders: 'Contacts',
}
// The user's own operations that belong to an Outlook area; the others are profile and directory operations.
const USER_OPERATION_AREAS: Record<string, Area> = {
  sendMail: 'Mail',
  getMailTips: 'Mail',
  translateExchangeIds: 'Mail',
  findMeetingTimes: 'Calendar',
  reminderView: 'Calendar',
}
const ORDER: Area[] = ['Users and profile', 'Mail', 'Calendar', 'Contacts', 'Outside the metadata']

const user = () => graphType('user')!
const streamed = (entry: GraphTypeEntry) =>
  Boolean(entry.stream || entry.derived?.some((name) => graphType(name)?.stream))

/** Every operation on the user and on what it contains, two navigation steps deep, that the subset describes. */
export function candidateOperations(): Candidate[] {
  const found: Candidate[] = [
    { area: 'Users and profile', entity: 'user', name: 'List', method: 'GET', path: '/users' },
    { area: 'Users and profile', entity: 'user', name: 'Get', method: 'GET', path: '/users/{id}' },
    { area: 'Users and profile', entity: 'user', name: 'Get', method: 'GET', path: '/me' },
    { area: 'Users and profile', entity: 'user', name: 'Update', method: 'PATCH', path: '/me' },
    ...bound('user', '/me', (name) => USER_OPERATION_AREAS[name] ?? 'Users and profile'),
    ...complexProperty('mailboxSettings', 'Mail'),
  ]
  for (const [nav, target] of Object.entries(user().navigation ?? {})) {
    const type = target.replace(/\[\]$/, '')
    const entry = graphType(type)
    if (!entry || entry.kind !== 'entity') continue
    const area = AREAS[nav] ?? 'Users and profile'
    const base = `/me/${nav}`
    found.push(...navigation(area, type, base, target.endsWith('[]')))
    const itemPath = target.endsWith('[]') ? `${base}/{id}` : base
    for (const [inner, innerTarget] of Object.entries(entry.navigation ?? {})) {
      const innerType = innerTarget.replace(/\[\]$/, '')
      if (graphType(innerType)?.kind !== 'entity') continue
      found.push(
        ...navigation(area, innerType, `${itemPath}/${inner}`, innerTarget.endsWith('[]'), false),
      )
    }
  }
  return found
}

/**
 * The operations of a navigation property: a collection's list, create and item operations, or a single entity's;
 * with the actions and functions bound to its entities when `withOperations` (one step deep: deeper paths reach the
 * same operations), and those bound to the collection.
 */
function navigation(
  area: Area,
  type: string,
  path: string,
  collection: boolean,
  withOperations = true,
): Candidate[] {
  const entry = graphType(type)!
  const item = collection ? `${path}/{id}` : path
  const op = (name: string, method: Candidate['method'], at: string): Candidate => ({
    area,
    entity: type,
    name,
    method,
    path: at,
  })
  return [
    ...(collection ? [op('List', 'GET', path), op('Create', 'POST', path)] : []),
    op('Get', 'GET', item),
    op('Update', 'PATCH', item),
    ...(collection ? [op('Delete', 'DELETE', item)] : []),
    ...(streamed(entry) ? [op('Get content', 'GET', `${item}/$value`)] : []),
    ...(streamed(entry) && !collection ? [op('Update content', 'PUT', `${item}/$value`)] : []),
    ...(withOperations ? bound(type, item, () => area) : []),
    ...(collection ? boundToCollection(type, path, area) : []),
  ]
}

function bound(type: string, path: string, area: (name: string) => Area): Candidate[] {
  const entry = graphType(type)!
  return [
    ...(entry.actions ?? []).map((name): Candidate => ({
      area: area(name),
      entity: type,
      name,
      method: 'POST',
      path: `${path}/${name}`,
    })),
    ...(entry.functions ?? []).map((name): Candidate => ({
      area: area(name),
      entity: type,
      name,
      method: 'GET',
      path: `${path}/${name}`,
    })),
  ]
}

function boundToCollection(type: string, path: string, area: Area): Candidate[] {
  const entry = graphType(type)!
  const op = (name: string, method: Candidate['method']): Candidate => ({
    area,
    entity: `${type} collection`,
    name,
    method,
    path: `${path}/${name}`,
  })
  return [
    ...(entry.collectionActions ?? []).map((name) => op(name, 'POST')),
    ...(entry.collectionFunctions ?? []).map((name) => op(name, 'GET')),
  ]
}

/** A complex property of the user with its own route (GET and PATCH /me/mailboxSettings). */
function complexProperty(name: string, area: Area): Candidate[] {
  const type = user().properties[name]!
  return [
    { area, entity: type, name: 'Get', method: 'GET', path: `/me/${name}` },
    { area, entity: type, name: 'Update', method: 'PATCH', path: `/me/${name}` },
  ]
}

// Graph documents these, and its metadata does not declare them (message has no media stream in the CSDL).
const OUTSIDE: Candidate[] = [
  {
    area: 'Outside the metadata',
    entity: 'message',
    name: 'Get MIME content',
    method: 'GET',
    path: '/me/messages/{id}/$value',
  },
  {
    area: 'Outside the metadata',
    entity: 'JSON batch',
    name: 'Batch',
    method: 'POST',
    path: '/$batch',
  },
  {
    area: 'Outside the metadata',
    entity: 'upload session',
    name: 'Upload a range',
    method: 'PUT',
    path: '{uploadUrl}',
  },
  {
    area: 'Outside the metadata',
    entity: 'upload session',
    name: 'Cancel',
    method: 'DELETE',
    path: '{uploadUrl}',
  },
]
const UPLOAD_URL = "/api/v2.0/Users('u@t')/Messages('m')/AttachmentSessions('s')?authtoken=t"

/** The candidate operations with what the emulator's router says of them. */
export async function coverageOperations(): Promise<Operation[]> {
  const emulator = await buildEmulator({ throttling: false, logger: false })
  try {
    const routed = (method: string, path: string) => {
      const url = path.startsWith('{uploadUrl}')
        ? UPLOAD_URL
        : `/v1.0${path.replace(/\{id\}/g, 'K1')}`
      const route = emulator.fastify.findRoute({ method, url: url.split('?')[0]! })
      // A route that takes the operation's last segment for a key does not serve the operation (…/messages/delta).
      const last = path.split('/').at(-1)!
      return Boolean(route) && !Object.values(route!.params).includes(last)
    }
    return [...candidateOperations(), ...OUTSIDE].map((operation) => ({
      ...operation,
      emulated: routed(operation.method, operation.path),
      usersToo:
        operation.path.startsWith('/me') &&
        routed(operation.method, operation.path.replace(/^\/me/, '/users/{id}')),
    }))
  } finally {
    await emulator.close()
  }
}

/** docs/COVERAGE.md's text. */
export async function renderCoverage(): Promise<string> {
  const operations = await coverageOperations()
  const emulated = operations.filter((operation) => operation.emulated).length
  const { repository, path, commit, date } = METADATA_SOURCE
  const lines = [
    '# Graph coverage of the emulator',
    '',
    "Generated by `node tools/coverage.ts` from the emulator's route table and Microsoft Graph's v1.0 metadata,",
    `[${repository}](https://github.com/${repository}) \`${path}\` at commit \`${commit}\``,
    `(${date}), as Azurite states the storage API version it emulates. Do not edit it by hand: \`coverage.test.ts\``,
    'fails when it is stale.',
    '',
    'The operations are those the metadata gives the user and what a user contains, two navigation steps deep: the',
    'list, get, create, update and delete of each navigation property (Graph answers some of them 405), media',
    'content, and the actions and functions bound to an entity type (one step deep) or to a collection of it. Every',
    'path is served under `/v1.0` and `/beta`; a path from `/me` is also served as `/users/{id | userPrincipalName}/…`',
    'unless the table says "/me only".',
    '',
    `**${emulated} of ${operations.length} operations are emulated.**`,
  ]
  for (const area of ORDER) lines.push('', ...table(area, operations))
  return `${lines.join('\n')}\n`
}

function table(area: Area, operations: Operation[]): string[] {
  const rows = operations.filter((operation) => operation.area === area)
  const count = rows.filter((row) => row.emulated).length
  return [
    `## ${area} (${count} of ${rows.length})`,
    '',
    '| Entity type | Operation | Request | Emulated |',
    '|---|---|---|---|',
    ...rows.map(
      (row) => `| ${row.entity} | ${row.name} | \`${row.method} ${row.path}\` | ${answer(row)} |`,
    ),
  ]
}

const answer = (row: Operation) =>
  !row.emulated ? 'no' : row.path.startsWith('/me') && !row.usersToo ? 'yes, /me only' : '**yes**'

if (import.meta.main) {
  writeFileSync(COVERAGE_FILE, await renderCoverage())
  console.log(`Wrote ${COVERAGE_FILE.pathname}`)
}
