/** sessionPlugin: idle and absolute timeouts (SE-04), HMAC'd store keys, tombstones (SE-05), foreign records. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import Fastify from 'fastify'
import cookie from '@fastify/cookie'
import { createStore } from '../../core/index.ts'
import { sessionPlugin } from './session.ts'
import { Jar } from '../../../test/kit/web-app.ts'

async function sessionApp() {
  let now = 1_000_000
  const store = await createStore({ kind: 'memory' })
  const app = Fastify()
  await app.register(cookie)
  sessionPlugin(app, {
    store,
    secret: 's'.repeat(40),
    cookieName: 'session',
    secure: false,
    idleSeconds: 60,
    absoluteSeconds: 300,
    now: () => now,
  })
  app.get('/login', async (request) => {
    const session = await request.session()
    await session.regenerate()
    session.data.user = {
      account: {
        homeAccountId: 'o.t',
        oid: 'o',
        tid: 't',
        name: 'A',
        username: 'a',
        email: undefined,
      },
      partition: 'p',
      hasPhoto: false,
    }
    session.changed()
    await session.save()
    return { key: session.key }
  })
  app.get('/me', async (request) => {
    const session = await request.session()
    const user = session.user?.account.name
    await session.save()
    return { user: user ?? null, key: session.key ?? null }
  })
  app.get('/logout', async (request) => {
    const session = await request.session()
    await session.destroy()
    return {}
  })
  // A request that loads the session before a logout and writes it after (the race of SE-05).
  let release = () => {}
  let loadedResolve = () => {}
  const gate = {
    loaded: new Promise<void>((resolve) => (loadedResolve = resolve)),
    release: () => release(),
  }
  app.get('/slow', async (request) => {
    const session = await request.session()
    loadedResolve()
    await new Promise<void>((resolve) => (release = resolve))
    session.data.flash = { kind: 'success', lines: ['late'] }
    session.changed()
    await session.save()
    return {}
  })
  return { app, store, gate, advance: (seconds: number) => void (now += seconds * 1000) }
}

async function get(app: Awaited<ReturnType<typeof sessionApp>>['app'], jar: Jar, url: string) {
  const response = await app.inject({ url, headers: { cookie: jar.header() } })
  jar.take(response.headers['set-cookie'])
  return response.json()
}

test('SE-04: the idle timeout ends the session on the server and removes the stored record', async () => {
  const { app, store, advance } = await sessionApp()
  const jar = new Jar()
  const { key } = await get(app, jar, '/login')
  assert.equal((await get(app, jar, '/me')).user, 'A')
  advance(61)
  assert.equal((await get(app, jar, '/me')).user, null)
  assert.equal(await store.get(`sess:${key}`), undefined)
})

test('SE-04: the absolute timeout ends an active session', async () => {
  const { app, advance } = await sessionApp()
  const jar = new Jar()
  await get(app, jar, '/login')
  for (let elapsed = 0; elapsed < 290; elapsed += 50) {
    advance(50)
    assert.equal(
      (await get(app, jar, '/me')).user,
      'A',
      `still signed in after ${elapsed + 50} s of activity`,
    )
  }
  advance(50)
  assert.equal((await get(app, jar, '/me')).user, null)
})

test('session ids are 256-bit, the store key is an HMAC of the id, and a forged id is never adopted', async () => {
  const { app, store } = await sessionApp()
  const jar = new Jar()
  const { key } = await get(app, jar, '/login')
  const id = jar.cookies.get('session') ?? ''
  assert.equal(Buffer.from(id, 'base64url').length, 32)
  assert.notEqual(key, id)
  assert.ok(await store.get(`sess:${key}`))
  const forged = await app.inject({
    url: '/me',
    headers: { cookie: 'session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
  })
  assert.equal(forged.json().user, null)
  assert.match(String(forged.headers['set-cookie']), /session=;/, 'the unknown cookie is cleared')
})

test('SE-05: a destroyed session cannot be resurrected by a late save of a concurrent request', async () => {
  const { app, store, gate } = await sessionApp()
  const jar = new Jar()
  const { key } = await get(app, jar, '/login')
  const cookieHeader = jar.header()
  const slow = app.inject({ url: '/slow', headers: { cookie: cookieHeader } })
  await gate.loaded
  await get(app, jar, '/logout')
  gate.release()
  await slow
  assert.equal(await store.get(`sess:${key}`), undefined)
  const again = await app.inject({ url: '/me', headers: { cookie: cookieHeader } })
  assert.equal(again.json().user, null)
})

test('a stored user of another shape (an older version) reads as signed out, not a crash', async () => {
  const { app, store } = await sessionApp()
  const jar = new Jar()
  const { key } = await get(app, jar, '/login')
  const stored = await store.get<Record<string, unknown>>(`sess:${key}`)
  for (const user of [
    { name: 'A', username: 'a', address: 'a', partition: 'p', hasPhoto: false, account: {} },
    { partition: 'p', hasPhoto: false, account: { homeAccountId: 'h', name: 'A', username: 7 } },
    'a string',
  ]) {
    await store.set(`sess:${key}`, { ...stored, user }, 60)
    const response = await app.inject({ url: '/me', headers: { cookie: jar.header() } })
    assert.equal(response.statusCode, 200)
    assert.deepEqual(response.json(), { user: null, key })
  }
})
