/** GET /users: paging with $skiptoken, $select, $orderby, $filter, $count and the directory's advanced-query rules. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Emulator } from '../app.ts'
import { call, graphFixture } from '../../../test/kit/emulator-graph.ts'

describe('Graph GET /users', () => {
  let emulator: Emulator
  let reader: string
  const eventual = { consistencylevel: 'eventual' }
  before(async () => {
    ;({ emulator } = await graphFixture())
    reader = await emulator.client.issueToken({ scp: 'User.Read User.ReadBasic.All' })
  })
  after(() => emulator.close())

  const get = (url: string, headers: Record<string, string> = {}, token = reader) =>
    call(emulator, 'GET', url, token, undefined, headers)
  const names = (body: { value: { displayName: string }[] }) =>
    body.value.map((user) => user.displayName)

  it('lists users with the default properties, paged by $top with a $skiptoken nextLink', async () => {
    const all = await get('/v1.0/users')
    assert.equal(all.statusCode, 200)
    assert.match(all.json()['@odata.context'], /\/v1\.0\/\$metadata#users$/)
    assert.equal(all.json().value.length, 5)
    assert.equal(all.json()['@odata.nextLink'], undefined)
    assert.deepEqual(Object.keys(all.json().value[0]).at(-1), 'id')
    const first = (await get('/v1.0/users?$top=2&$select=displayName,mail')).json()
    assert.match(first['@odata.context'], /#users\(displayName,mail\)$/)
    assert.deepEqual(Object.keys(first.value[0]), ['displayName', 'mail'])
    const next = new URL(first['@odata.nextLink'])
    assert.ok(next.searchParams.get('$skiptoken'))
    assert.equal(next.searchParams.get('$select'), 'displayName,mail')
    const second = (await get(next.pathname + next.search)).json()
    assert.equal(second.value.length, 2)
    assert.notDeepEqual(names(second), names(first))
    const bad = await get('/v1.0/users?$skiptoken=nonsense')
    assert.equal(bad.json().error.code, 'Directory_ExpiredPageToken')
    const tooMany = await get('/v1.0/users?$top=1000')
    assert.equal(tooMany.statusCode, 400)
  })

  it('orders by displayName or userPrincipalName', async () => {
    const sorted = names((await get('/v1.0/users?$orderby=displayName desc')).json())
    assert.deepEqual(sorted, [
      'Nestor Wilke',
      'Megan Bowen',
      'Léa Martin',
      'Diego Siciliani',
      'Adele Vance',
    ])
    const bad = await get('/v1.0/users?$orderby=jobTitle')
    assert.equal(bad.json().error.message, 'Sorting not supported for current query.')
  })

  it('filters with startswith, eq, in and accountEnabled; advanced forms need ConsistencyLevel', async () => {
    const filter = (text: string) => `/v1.0/users?$filter=${encodeURIComponent(text)}`
    assert.deepEqual(names((await get(filter("startswith(displayName,'m')"))).json()), [
      'Megan Bowen',
    ])
    assert.deepEqual(names((await get(filter("mail eq 'LEA@contoso.test'"))).json()), [
      'Léa Martin',
    ])
    const either = "userPrincipalName in ('diego@contoso.test','nestor@contoso.test')"
    assert.deepEqual(names((await get(filter(either))).json()), ['Diego Siciliani', 'Nestor Wilke'])
    assert.equal((await get(filter('accountEnabled eq true'))).json().value.length, 5)
    const ends = await get(filter("endswith(mail,'@contoso.test')"))
    assert.equal(ends.statusCode, 400)
    assert.equal(ends.json().error.code, 'Request_UnsupportedQuery')
    assert.match(ends.json().error.message, /ConsistencyLevel:eventual' header is missing/)
    const advanced = await get(
      `${filter("endswith(mail,'@contoso.test') and displayName ne 'Adele Vance'")}&$count=true`,
      eventual,
    )
    assert.equal(advanced.statusCode, 200)
    assert.equal(advanced.json()['@odata.count'], 4)
    const unknown = await get(filter("shoeSize eq '42'"))
    assert.equal(unknown.json().error.code, 'Request_BadRequest')
    const sortedFilter = await get(`${filter("startswith(displayName,'a')")}&$orderby=displayName`)
    assert.equal(sortedFilter.json().error.message, 'Sorting not supported for current query.')
  })

  it('counts only with ConsistencyLevel: eventual', async () => {
    const without = await get('/v1.0/users?$count=true')
    assert.equal(without.statusCode, 400)
    assert.equal(without.json().error.message, '$count is not currently supported.')
    const counted = (await get('/v1.0/users?$count=true&$top=1', eventual)).json()
    assert.equal(counted['@odata.count'], 5)
    assert.deepEqual(Object.keys(counted).slice(0, 2), ['@odata.context', '@odata.count'])
    const raw = await get('/v1.0/users/$count', eventual)
    assert.equal(raw.body, '5')
    assert.match(String(raw.headers['content-type']), /^text\/plain/)
    const rawWithout = await get('/v1.0/users/$count')
    assert.equal(rawWithout.json().error.code, 'Request_UnsupportedQuery')
  })

  it('needs User.ReadBasic.All or broader (delegated), User.Read.All (app)', async () => {
    const userRead = await emulator.client.issueToken({ scp: 'User.Read' })
    const denied = await get('/v1.0/users', {}, userRead)
    assert.equal(denied.statusCode, 403)
    assert.equal(denied.json().error.code, 'Authorization_RequestDenied')
    const app = await emulator.client.issueToken({ roles: ['User.Read.All'] })
    assert.equal((await get('/v1.0/users', {}, app)).statusCode, 200)
  })
})
