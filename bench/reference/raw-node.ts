/** The limit: a bare node:http server answering every request with the same page, prepared once. */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { readFile } from 'node:fs/promises'
import { runSubject } from '../lib/subject-child.ts'

runSubject(async ([pageFile]) => {
  const page = await readFile(pageFile)
  const server = createServer((_request, response) => {
    response.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': page.length,
    })
    response.end(page)
  })
  server.keepAliveTimeout = 72_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    info: { bytes: page.length },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
})
