/**
 * SE-16, the app's side: on a loopback PUBLIC_URL the app answers its own name only, so a page whose name was pointed
 * at 127.0.0.1 (DNS rebinding) reads nothing; another loopback name is sent to PUBLIC_URL. The emulator's side is in
 * emulator-surface.test.ts.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { request as httpRequest } from 'node:http'
import { connect } from 'node:net'
import { SECURITY, startSystem, type AppInstance, type System } from '../kit/system.ts'

let system: System
let app: AppInstance

before(async () => {
  system = await startSystem(SECURITY)
  app = await system.startApp()
})

after(() => system?.close())

interface Raw {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** One request with exactly these headers (Host included), as a rebound page's browser would send it. */
function raw(method: string, path: string, headers: Record<string, string>): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${app.url}${path}`, { method, headers }, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => (body += chunk))
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
      )
    })
    request.on('error', reject)
    request.end(method === 'POST' ? 'to=eve%40evil.example&subject=x&body=x' : undefined)
  })
}

describe('SE-16 the app answers its own name only (DNS rebinding)', () => {
  test('SE-16 Host attacker.example: every route, signed in or not, answers 421 with nothing of the user', async () => {
    const client = app.browser()
    assert.equal((await client.signIn(system.user('adele'))).status, 303)
    const cookie = `session=${client.cookie(app.url, 'session')}`
    const port = new URL(app.url).port
    const routes: [string, string][] = [
      ['GET', '/'],
      ['GET', '/healthz'],
      ['GET', '/connect'],
      ['GET', '/flow'],
      ['GET', '/me/photo'],
      ['GET', '/static/app.js'],
      ['GET', '/no-such-page'],
      ['POST', '/send'],
      ['POST', '/disconnect'],
    ]
    for (const [method, path] of routes) {
      for (const host of [`attacker.example:${port}`, 'attacker.example', '10.0.0.1']) {
        const answer = await raw(method, path, {
          host,
          cookie,
          'content-type': 'application/x-www-form-urlencoded',
        })
        const label = `${method} ${path} Host ${host}`
        assert.equal(answer.status, 421, label)
        assert.equal(answer.headers['set-cookie'], undefined, label)
        assert.match(answer.body, /answers at http:\/\/127\.0\.0\.1:\d+\/ only/, label)
        assert.doesNotMatch(answer.body, /Adele|adele|csrf|_form/i, label)
      }
    }
    assert.equal(await client.isSignedIn(), true, 'the session is untouched')
  })

  test('SE-16 a request without Host (HTTP/1.0) answers 421', async () => {
    const { hostname, port } = new URL(app.url)
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () =>
        socket.end('GET /healthz HTTP/1.0\r\n\r\n'),
      )
      let text = ''
      socket.setEncoding('utf8')
      socket.on('data', (chunk: string) => (text += chunk))
      socket.on('end', () => resolve(text))
      socket.on('error', reject)
    })
    assert.match(answer, /^HTTP\/1\.[01] 421 /)
  })

  test('SE-16 localhost for a 127.0.0.1 PUBLIC_URL: a GET is sent to PUBLIC_URL (same path), a POST is refused', async () => {
    const port = new URL(app.url).port
    const get = await raw('GET', '/connect?from=bookmark', { host: `localhost:${port}` })
    assert.equal(get.status, 307)
    assert.equal(get.headers.location, `${app.url}/connect?from=bookmark`)
    const schemeRelative = await raw('GET', '//evil.example/x', { host: `localhost:${port}` })
    assert.equal(schemeRelative.status, 307)
    assert.equal(schemeRelative.headers.location, `${app.url}//evil.example/x`, 'same origin')
    const post = await raw('POST', '/send', {
      host: `localhost:${port}`,
      'content-type': 'application/x-www-form-urlencoded',
    })
    assert.equal(post.status, 421)
  })

  test('SE-16 negative control: the PUBLIC_URL name itself is served', async () => {
    const answer = await raw('GET', '/healthz', { host: new URL(app.url).host })
    assert.equal(answer.status, 200)
  })
})
