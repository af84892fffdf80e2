/** networkCause: the real failures of core's fetch, each said in the user's terms with what to check. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createHttpFetch } from './http-fetch.ts'
import { networkCause } from './network-cause.ts'

const fetch = createHttpFetch()

async function causeOf(url: string, timeoutMs = 1000): Promise<string> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
    throw new Error(`HTTP ${response.status}`)
  } catch (error) {
    return networkCause(error, url, timeoutMs)
  }
}

test('a name that does not resolve, a closed port, a silent server, an HTTP status', async () => {
  assert.match(
    await causeOf('https://login.no-such-name.invalid/t'),
    /^the name login\.no-such-name\.invalid does not resolve \((ENOTFOUND|EAI_AGAIN)\): check the host name/,
  )
  const closed = createServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
  const closedPort = (closed.address() as AddressInfo).port
  await new Promise((resolve) => closed.close(resolve))
  assert.equal(
    await causeOf(`http://127.0.0.1:${closedPort}/t`),
    `nothing answers at 127.0.0.1:${closedPort} (ECONNREFUSED)`,
  )
  const silent = createServer(() => undefined) // accepts, never answers
  const notFound = createServer((_request, response) => response.writeHead(404).end())
  for (const server of [silent, notFound])
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const silentHost = `127.0.0.1:${(silent.address() as AddressInfo).port}`
    assert.match(
      await causeOf(`http://${silentHost}/t`, 200),
      new RegExp(`^no answer from ${silentHost} within 0\\.2 s: a firewall may be in the way`),
    )
    const notFoundHost = `127.0.0.1:${(notFound.address() as AddressInfo).port}`
    assert.equal(await causeOf(`http://${notFoundHost}/t`), `${notFoundHost} answered HTTP 404`)
  } finally {
    silent.closeAllConnections()
    for (const server of [silent, notFound]) server.close()
  }
})
