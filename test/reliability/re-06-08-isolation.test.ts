/**
 * RE-06 and RE-08, black-box on the real Redis: two users interleaved, with a Redis read error injected on one user's
 * token-cache read (a TCP proxy that kills the connection carrying that GET). Every Graph call in the emulator's
 * journal carries its own user's token (the bearer's oid), and every token-cache partition in Redis, decrypted with
 * core's own token-cache API, holds only its owner's account and tokens.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { Redis } from 'ioredis'
import { createStore, type Store } from '../../src/core/index.ts'
import { createTokenCacheStore } from '../../src/core/auth/token-cache.ts'
import type { EmulatorClient } from '../../src/emulator/index.ts'
import type { Browser } from '../kit/browser.ts'
import { bearerOid, sendMails } from '../kit/journal.ts'
import { RELIABILITY, startSystem, type AppInstance, type System } from '../kit/system.ts'
import { startTcpProxy, type TcpProxy } from '../kit/tcp-proxy.ts'
import { TEST_REDIS_URL, testRedisAddress } from '../kit/test-redis.ts'

const secret = 'reliability-secret-RE06-0123456789-abcdefgh'
const prefix = `gc-rel-re06-${process.pid}-${Date.now()}:`
let system: System
let emulator: EmulatorClient
let proxy: TcpProxy
let app: AppInstance
let redis: Redis
let inspect: Store
const users: Record<
  'A' | 'B',
  { client: Browser; upn: string; password: string; oid: string; homeAccountId: string }
> = {} as never

before(async () => {
  system = await startSystem(RELIABILITY)
  emulator = system.client
  proxy = await startTcpProxy(testRedisAddress())
  app = await system.startApp({
    env: {
      STORE: 'redis',
      REDIS_URL: proxy.url,
      REDIS_KEY_PREFIX: prefix,
      SESSION_SECRET: secret,
      GRAPH_TIMEOUT_MS: '3000',
    },
  })
  redis = new Redis(TEST_REDIS_URL, { lazyConnect: true })
  await redis.connect()
  inspect = await createStore({ kind: 'redis', url: TEST_REDIS_URL, keyPrefix: prefix })
  const tid = system.emulator.demo.tenantId
  for (const [label, name] of [
    ['A', 'adele'],
    ['B', 'diego'],
  ] as const) {
    const user = system.user(name)
    users[label] = {
      client: app.browser(),
      upn: user.userPrincipalName,
      password: user.password,
      oid: user.id,
      homeAccountId: `${user.id}.${tid}`,
    }
  }
})

after(async () => {
  await app?.close()
  await proxy?.close()
  const keys = await redis.keys(`${prefix}*`)
  if (keys.length) await redis.del(...keys)
  redis?.disconnect()
  await inspect?.close()
  await system?.close()
})

const ownerOf = (subject: string) =>
  subject.startsWith('A ') ? 'A' : subject.startsWith('B ') ? 'B' : undefined

/** Every sendMail since `mark` bears the token of the user whose send it is. */
async function assertOwnTokens(mark: number): Promise<number> {
  const sends = await sendMails(emulator, mark)
  for (const entry of sends) {
    const subject = (entry.body as { message?: { subject?: string } }).message?.subject ?? ''
    const owner = ownerOf(subject)
    assert.ok(owner, `unexpected subject ${subject}`)
    assert.equal(bearerOid(entry), users[owner].oid, `"${subject}" was sent with ${owner}'s token`)
  }
  return sends.length
}

/** Each session's token-cache partition and the account it names, read from Redis. */
async function partitionOwners(): Promise<Map<string, string>> {
  const owners = new Map<string, string>()
  for (const key of await redis.keys(`${prefix}sess:*`)) {
    const data = JSON.parse((await redis.get(key)) ?? '{}') as {
      user?: { partition: string; account: { homeAccountId: string } }
    }
    if (data.user) owners.set(data.user.partition, data.user.account.homeAccountId)
  }
  return owners
}

/** `rounds` send forms of A then B in turn, subjects `<label> <word> <i>`, each with fresh tokens. */
async function interleavedForms(rounds: number, word: string) {
  const forms = []
  for (let i = 0; i < rounds; i++) {
    for (const label of ['A', 'B'] as const) {
      const client = users[label].client
      const fields = await client.sendFields({
        to: users[label].upn,
        subject: `${label} ${word} ${i}`,
        body: label,
      })
      forms.push({ label, client, fields })
    }
  }
  return forms
}

/** Each token-cache partition holds one account only, and it is the account of the session that owns the partition. */
async function assertPartitionsIsolated(): Promise<void> {
  const caches = createTokenCacheStore(inspect, secret, 3600)
  const owners = await partitionOwners()
  const partitions = (await redis.keys(`${prefix}tokencache:*`)).map((key) =>
    key.slice(`${prefix}tokencache:`.length),
  )
  assert.ok(partitions.length >= 2, 'both users have a partition')
  for (const partition of partitions) {
    const serialized = await caches.read(partition)
    assert.ok(serialized, 'the partition decrypts with the key derived from SESSION_SECRET')
    const cache = JSON.parse(serialized) as Record<
      string,
      Record<string, { home_account_id?: string; secret?: string }>
    >
    const held = new Set<string>()
    const secrets: string[] = []
    for (const section of ['Account', 'AccessToken', 'RefreshToken', 'IdToken']) {
      for (const entry of Object.values(cache[section] ?? {})) {
        held.add(entry.home_account_id ?? '')
        if (entry.secret) secrets.push(entry.secret)
      }
    }
    const stored = (await redis.get(`${prefix}tokencache:${partition}`)) ?? ''
    assert.match(stored, /^"v1\.[\w-]+"$/, 'sealed (AES-256-GCM, base64url)')
    assert.ok(
      secrets.length >= 2 && secrets.every((secret) => !stored.includes(secret)),
      'no token in clear at rest',
    )
    assert.equal(held.size, 1, `partition holds ${[...held].join(', ')}`)
    const owner = owners.get(partition)
    if (owner)
      assert.deepEqual([...held], [owner], 'the partition holds its session’s account only')
    assert.ok([users.A.homeAccountId, users.B.homeAccountId].includes([...held][0]!))
  }
}

test('RE-06/RE-08 two users signed in one after the other, then 20 interleaved concurrent sends: each with its own token', async () => {
  await users.A.client.signInHome({ userPrincipalName: users.A.upn, password: users.A.password })
  await users.B.client.signInHome({ userPrincipalName: users.B.upn, password: users.B.password })
  const forms = await interleavedForms(10, 'interleaved')
  const mark = await emulator.mark()
  const responses = await Promise.all(
    forms.map(({ client, fields }) => client.post('/send', fields)),
  )
  assert.deepEqual(
    responses.map((response) => response.status),
    Array(20).fill(303),
  )
  assert.equal(await assertOwnTokens(mark), 20)
  await assertPartitionsIsolated()
})

test('RE-06 a Redis read error on B’s token-cache read: B gets 503, no call is made with A’s token, partitions stay clean', async () => {
  const before = new Set(await redis.keys(`${prefix}tokencache:*`))
  assert.equal(before.size, 2)
  // Which partition is B's: the one B's session names.
  const owners = await partitionOwners()
  const partitionB = [...owners].find(([, account]) => account === users.B.homeAccountId)?.[0]
  assert.ok(partitionB)
  const forms = await interleavedForms(4, 'fault')
  proxy.failWhen(`tokencache:${partitionB}`)
  const mark = await emulator.mark()
  const responses = await Promise.all(
    forms.map(async ({ label, client, fields }) => ({
      label,
      response: await client.post('/send', fields),
    })),
  )
  assert.equal(proxy.tripped, 1, 'the read error was injected')
  for (const { response } of responses)
    assert.ok([303, 503].includes(response.status), `status ${response.status}`)
  const failedB = responses.filter(
    ({ label, response }) => label === 'B' && response.status === 503,
  )
  assert.ok(failedB.length >= 1, 'B’s send whose token-cache read failed answered 503')
  for (const { response } of failedB)
    assert.match(response.body, /RE-|B fault/, 'the form is given back')
  const succeeded = responses.filter(({ response }) => response.status === 303).length
  assert.equal(
    await assertOwnTokens(mark),
    succeeded,
    'one sendMail per successful send, each with its owner’s token',
  )
  // Recovery: B sends again, with B's token.
  await users.B.client.waitReady()
  const again = await emulator.mark()
  const retry = await users.B.client.sendFromPage({
    to: users.B.upn,
    subject: 'B after the fault',
    body: 'B',
  })
  assert.equal(retry.page.banner?.kind, 'success', retry.page.banner?.text)
  assert.equal(await assertOwnTokens(again), 1)
  assert.deepEqual(
    new Set(await redis.keys(`${prefix}tokencache:*`)),
    before,
    'no partition appeared or vanished',
  )
  await assertPartitionsIsolated()
})
