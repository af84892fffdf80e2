/** POST /$batch: up to 20 requests, dependsOn chains (424 when a dependency failed), at most 4 items at a time. */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { GraphError, ODATA_JSON } from './graph-error.ts'
import { versionOf } from './odata.ts'

/** Marks requests run on behalf of a batch item (the journal records only the outer $batch). */
export const BATCH_ITEM_HEADER = 'x-emulator-batch-item'
const MAX_REQUESTS = 20
const PARALLEL_ITEMS = 4 // Outlook runs unordered batch items at most 4 at a time [protocol-spec.md B4]
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'])
const KEPT_HEADERS = [
  'content-type',
  'location',
  'retry-after',
  'cache-control',
  'odata-version',
  'etag',
  'www-authenticate',
]

interface BatchItem {
  id: string
  method: string
  url: string
  headers: Record<string, string>
  body?: unknown
  dependsOn: string[]
}
interface ItemResponse {
  id: string
  status: number
  headers: Record<string, string>
  body?: unknown
}

export function batchRoutes(scope: FastifyInstance): void {
  scope.post('/$batch', async (request, reply) => {
    const items = parseBatch(request.body)
    const results = new Map<string, ItemResponse>()
    const pending = [...items]
    const running = new Set<Promise<void>>()
    while (pending.length > 0 || running.size > 0) {
      for (const item of [...pending]) {
        if (running.size >= PARALLEL_ITEMS) break
        if (!item.dependsOn.every((id) => results.has(id.toLowerCase()))) continue
        pending.splice(pending.indexOf(item), 1)
        const failed = item.dependsOn.some((id) => results.get(id.toLowerCase())!.status >= 400)
        const task = (
          failed ? Promise.resolve(failedDependency(item)) : runItem(scope, request, item)
        ).then((result) => {
          results.set(item.id.toLowerCase(), result)
          running.delete(task)
        })
        running.add(task)
      }
      if (running.size > 0) await Promise.race(running)
    }
    const responses = items.map((item) => results.get(item.id.toLowerCase())!)
    return reply
      .header('content-type', ODATA_JSON)
      .header('odata-version', '4.0')
      .send(JSON.stringify({ responses }))
  })
}

function parseBatch(body: unknown): BatchItem[] {
  const bad = (message: string) => new GraphError(400, 'BadRequest', message)
  const requests = (body as { requests?: unknown } | undefined)?.requests
  if (!Array.isArray(requests) || requests.length === 0)
    throw bad('Invalid batch payload format: "requests" must be a non-empty array.')
  if (requests.length > MAX_REQUESTS)
    throw bad(`Number of batch request steps exceeds the maximum of ${MAX_REQUESTS}.`)
  const ids = new Set<string>()
  const items = requests.map((raw: Record<string, unknown>) => {
    if (typeof raw !== 'object' || raw === null)
      throw bad('Each batch request must be a JSON object.')
    const id = typeof raw.id === 'string' || typeof raw.id === 'number' ? String(raw.id) : ''
    if (!id) throw bad('Each batch request needs an "id".')
    if (ids.has(id.toLowerCase()))
      throw bad(`Batch request contains duplicate request ids: '${id}'.`)
    ids.add(id.toLowerCase())
    const method = typeof raw.method === 'string' ? raw.method.toUpperCase() : ''
    if (!METHODS.has(method))
      throw bad(`Invalid method '${String(raw.method)}' in batch request '${id}'.`)
    if (typeof raw.url !== 'string' || !raw.url || /^[a-z]+:\/\//i.test(raw.url))
      throw bad(`Batch request '${id}' needs a relative "url".`)
    const headers = Object.fromEntries(
      Object.entries((raw.headers ?? {}) as Record<string, unknown>).map(([k, v]) => [
        k.toLowerCase(),
        String(v),
      ]),
    )
    if (raw.body !== undefined && !headers['content-type'])
      throw bad(`Batch request '${id}' has a body but no Content-Type header.`)
    const dependsOn = raw.dependsOn === undefined ? [] : raw.dependsOn
    if (!Array.isArray(dependsOn) || !dependsOn.every((dep) => typeof dep === 'string'))
      throw bad(`"dependsOn" of '${id}' must be an array of ids.`)
    return { id, method, url: raw.url, headers, body: raw.body, dependsOn: dependsOn as string[] }
  })
  for (const item of items) {
    for (const dep of item.dependsOn)
      if (!ids.has(dep.toLowerCase()) || dep.toLowerCase() === item.id.toLowerCase())
        throw bad(`Unknown dependsOn id '${dep}' in '${item.id}'.`)
  }
  checkAcyclic(items, bad)
  return items
}

function checkAcyclic(items: BatchItem[], bad: (message: string) => GraphError): void {
  const done = new Set<string>()
  let progress = true
  while (progress) {
    progress = false
    for (const item of items) {
      const key = item.id.toLowerCase()
      if (!done.has(key) && item.dependsOn.every((dep) => done.has(dep.toLowerCase()))) {
        done.add(key)
        progress = true
      }
    }
  }
  if (done.size !== items.length) throw bad('The dependsOn references of the batch form a cycle.')
}

async function runItem(
  scope: FastifyInstance,
  outer: FastifyRequest,
  item: BatchItem,
): Promise<ItemResponse> {
  const contentType = item.headers['content-type'] ?? ''
  const payload =
    item.body === undefined
      ? undefined
      : typeof item.body === 'string'
        ? /json|text/i.test(contentType)
          ? item.body
          : Buffer.from(item.body, 'base64')
        : JSON.stringify(item.body)
  const response = await scope.inject({
    method: item.method as 'GET',
    url: `${versionOf(outer)}/${item.url.replace(/^\/+/, '')}`,
    headers: {
      ...item.headers,
      host: outer.host,
      authorization: outer.headers.authorization ?? '',
      [BATCH_ITEM_HEADER]: item.id,
    },
    payload,
  })
  const headers: Record<string, string> = {}
  for (const name of KEPT_HEADERS) {
    const value = response.headers[name]
    if (value !== undefined)
      headers[
        name === 'retry-after' ? 'Retry-After' : name === 'content-type' ? 'Content-Type' : name
      ] = String(value)
  }
  const result: ItemResponse = { id: item.id, status: response.statusCode, headers }
  if (response.rawPayload.length > 0) {
    result.body = /json/i.test(String(response.headers['content-type'] ?? ''))
      ? response.json()
      : response.rawPayload.toString('base64')
  }
  return result
}

function failedDependency(item: BatchItem): ItemResponse {
  return {
    id: item.id,
    status: 424,
    headers: { 'Content-Type': 'application/json' },
    body: {
      error: {
        code: 'FailedDependency',
        message: 'Failed dependency: a request this one depends on did not succeed.',
      },
    },
  }
}
