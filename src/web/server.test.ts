/** startServer's graceful shutdown (RE-09): readiness drops at once, in-flight requests drain within the grace. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { request as httpRequest } from 'node:http'
import { Jar, testApp } from '../../test/kit/web-app.ts'
import { startServer } from './server.ts'

async function call(base: string, jar: Jar, path: string, init: RequestInit = {}) {
  const response = await fetch(`${base}${path}`, {
    ...init,
    redirect: 'manual',
    headers: { ...(init.headers as Record<string, string>), cookie: jar.header() },
  })
  jar.take(response.headers.getSetCookie())
  return response
}

/** Signs in through the running server, then posts the send form; `sending` is the send under way. */
async function signInAndSend(base: string, headers: Record<string, string> = {}) {
  const jar = new Jar()
  const connect = await call(base, jar, '/connect')
  const state = new URL(String(connect.headers.get('location'))).searchParams.get('state')
  await call(base, jar, `/connect/get_token/?code=c&state=${state}`)
  const page = await (await call(base, jar, '/')).text()
  const field = (name: string) =>
    page.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1] ?? ''
  const body = new URLSearchParams({
    to: 'megan@contoso.test',
    subject: 's',
    body: 'b',
    _csrf: field('_csrf'),
    _form: field('_form'),
  })
  const sending = call(base, jar, '/send', {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  })
  return { sending }
}

test('RE-09: on shutdown readiness drops at once, an in-flight send completes once, then the server closes', async () => {
  const { app, script } = await testApp({ PUBLIC_URL: 'http://127.0.0.1:8000' })
  script.sendDelayMs = 400
  const server = await startServer(app, {
    host: '127.0.0.1',
    port: 0,
    graceMs: 3000,
    handleSignals: false,
  })
  const base = server.url
  const { sending } = await signInAndSend(base, { origin: 'http://127.0.0.1:8000' })
  await new Promise((resolve) => setTimeout(resolve, 100))
  const closing = server.shutdown('test')
  const ready = await app.inject({ url: '/readyz', headers: { host: '127.0.0.1:8000' } })
  assert.equal(ready.statusCode, 503)
  const sent = await sending
  assert.equal(sent.status, 303)
  assert.equal(script.sends.length, 1)
  assert.equal(await closing, 0)
  await assert.rejects(
    new Promise((resolve, reject) =>
      httpRequest(`${base}/healthz`).on('response', resolve).on('error', reject).end(),
    ),
    /ECONNREFUSED/,
  )
})

test('RE-09: a request still running at the end of the grace period does not keep the process up', async () => {
  const { app, script } = await testApp({ PUBLIC_URL: 'http://127.0.0.1:8000' })
  script.sendDelayMs = 5000
  const server = await startServer(app, {
    host: '127.0.0.1',
    port: 0,
    graceMs: 200,
    handleSignals: false,
  })
  const sending = (await signInAndSend(server.url)).sending.catch((error: Error) => error)
  await new Promise((resolve) => setTimeout(resolve, 100))
  const started = Date.now()
  assert.equal(await server.shutdown('test'), 1)
  assert.ok(Date.now() - started < 1500, 'closed soon after the grace period')
  assert.ok((await sending) instanceof Error)
})
